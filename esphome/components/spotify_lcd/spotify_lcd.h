// Spotify LCD rendering for ESPHome: a /get v2 payload plus two clocks -> the LCD's bytes.
//
// Mirrors src/spotifylcd/screen.py byte for byte; both are checked against the golden
// vectors in tests/golden/. Header-only, C++17, no allocation beyond std::string, so the
// same file compiles for the ESP32 and for the host unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spotify_lcd {

constexpr uint64_t MARQUEE_PAUSE_MS = 2000;
constexpr uint64_t MARQUEE_STEP_MS = 350;
constexpr uint64_t ARTIST_PHASE_MIN_MS = 5000;
constexpr uint64_t STATUS_PHASE_MS = 4000;
constexpr int WIDE_COLUMNS = 20;
constexpr int BAR_LEVELS = 5;
constexpr int GLYPH_ROWS = 8;

// The payload's strings arrive as UTF-8 whose every code point is one HD44780 byte
// (U+0000-U+00FF). Anything else cannot come from the server; it becomes a space.
inline std::string decode_device_string(const std::string &utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      i += 1;
    } else if ((lead & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      const auto next = static_cast<uint8_t>(utf8[i + 1]);
      const uint32_t code = ((lead & 0x1Fu) << 6) | (next & 0x3Fu);
      out.push_back(code <= 0xFF ? static_cast<char>(code) : ' ');
      i += 2;
    } else {
      // A longer sequence (or a broken one): skip its continuation bytes.
      i += 1;
      while (i < utf8.size() && (static_cast<uint8_t>(utf8[i]) & 0xC0) == 0x80) i += 1;
      out.push_back(' ');
    }
  }
  return out;
}

// "0010181c1e1c1810" -> 8 rows of 5 dots (bit 4 = leftmost). False if malformed.
inline bool parse_glyph_hex(const std::string &hex, uint8_t rows[GLYPH_ROWS]) {
  if (hex.size() != 2 * GLYPH_ROWS) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (int row = 0; row < GLYPH_ROWS; row++) {
    const int high = nibble(hex[2 * row]), low = nibble(hex[2 * row + 1]);
    if (high < 0 || low < 0) return false;
    const int value = high * 16 + low;
    if (value > 0x1F) return false;
    rows[row] = static_cast<uint8_t>(value);
  }
  return true;
}

inline uint64_t marquee_cycle_ms(const std::string &text, int width) {
  if (static_cast<int>(text.size()) <= width) return 0;
  return MARQUEE_PAUSE_MS + (text.size() - width) * MARQUEE_STEP_MS + MARQUEE_PAUSE_MS;
}

// `text` in `width` cells: padded if it fits, else scrolling with a pause at each end.
inline std::string marquee(const std::string &text, int width, uint64_t time_ms) {
  if (width <= 0) return "";
  const int length = static_cast<int>(text.size());
  if (length <= width) return text + std::string(width - length, ' ');
  const uint64_t steps = length - width;
  const uint64_t within = time_ms % marquee_cycle_ms(text, width);
  uint64_t offset = within < MARQUEE_PAUSE_MS ? 0 : (within - MARQUEE_PAUSE_MS) / MARQUEE_STEP_MS;
  if (offset > steps) offset = steps;
  return text.substr(offset, width);
}

// m:ss, or h:mm:ss from an hour.
inline std::string clock_text(int64_t ms) {
  const int64_t total = ms > 0 ? ms / 1000 : 0;
  const int64_t hours = total / 3600, minutes = (total % 3600) / 60, seconds = total % 60;
  auto two = [](int64_t value) { return std::string(value < 10 ? "0" : "") + std::to_string(value); };
  if (hours) return std::to_string(hours) + ":" + two(minutes) + ":" + two(seconds);
  return std::to_string(minutes) + ":" + two(seconds);
}

// `width` cells, five steps each; `levels` holds the bytes for 1-5 lit columns.
inline std::string progress_bar(int64_t progress, int64_t duration, int width, const std::string &levels) {
  if (width <= 0) return "";
  int64_t units = 0;
  if (duration > 0) {
    units = progress * width * BAR_LEVELS / duration;
    if (units > static_cast<int64_t>(width) * BAR_LEVELS) units = static_cast<int64_t>(width) * BAR_LEVELS;
  }
  std::string cells;
  for (int cell = 0; cell < width; cell++) {
    int64_t level = units - cell * BAR_LEVELS;
    if (level > BAR_LEVELS) level = BAR_LEVELS;
    cells.push_back(level > 0 ? levels[level - 1] : ' ');
  }
  return cells;
}

// The fields of a v2 payload the layout reads; strings already decoded to HD44780 bytes.
struct Screen {
  int cols = 16;
  int rows = 2;
  std::string state;
  std::string title, artist, album;
  int64_t progress = 0;
  int64_t duration = 0;
  bool stale = false;
  std::string bar, icon, mark;
};

inline std::string status_line(const Screen &screen, uint64_t since_fetch_ms) {
  int64_t progress = screen.progress;
  if (screen.state == "playing") {
    progress += static_cast<int64_t>(since_fetch_ms);
    if (progress > screen.duration) progress = screen.duration;
  }
  std::string times = clock_text(progress);
  if (screen.cols >= WIDE_COLUMNS) times += "/" + clock_text(screen.duration);
  const std::string icon = screen.icon.empty() ? std::string(" ") : screen.icon;
  const int width = screen.cols - static_cast<int>(icon.size()) - 2 - static_cast<int>(times.size());
  return icon + " " + progress_bar(progress, screen.duration, width, screen.bar) + " " + times;
}

inline std::string title_row(const Screen &screen, uint64_t since_change_ms) {
  if (screen.stale && !screen.mark.empty())
    return marquee(screen.title, screen.cols - 1, since_change_ms) + screen.mark;
  return marquee(screen.title, screen.cols, since_change_ms);
}

// Artist, alternating with the status line (icon, bar, time) when there is a bar.
inline std::string second_row(const Screen &screen, uint64_t since_fetch_ms, uint64_t since_change_ms,
                              bool has_bar) {
  if (!has_bar) return marquee(screen.artist, screen.cols, since_change_ms);
  if (screen.artist.empty()) return status_line(screen, since_fetch_ms);
  uint64_t artist_phase = marquee_cycle_ms(screen.artist, screen.cols);
  if (artist_phase < ARTIST_PHASE_MIN_MS) artist_phase = ARTIST_PHASE_MIN_MS;
  const uint64_t within = since_change_ms % (artist_phase + STATUS_PHASE_MS);
  if (within < artist_phase) return marquee(screen.artist, screen.cols, within);
  return status_line(screen, since_fetch_ms);
}

// The rows of the screen, each exactly `cols` HD44780 bytes.
inline std::vector<std::string> render(const Screen &screen, uint64_t since_fetch_ms, uint64_t since_change_ms) {
  const bool has_bar = screen.duration > 0 && static_cast<int>(screen.bar.size()) == BAR_LEVELS;
  std::vector<std::string> rows{title_row(screen, since_change_ms)};
  if (screen.rows == 2) {
    rows.push_back(second_row(screen, since_fetch_ms, since_change_ms, has_bar));
  } else {
    rows.push_back(marquee(screen.artist, screen.cols, since_change_ms));
    rows.push_back(marquee(screen.album, screen.cols, since_change_ms));
    rows.push_back(has_bar ? status_line(screen, since_fetch_ms) : marquee("", screen.cols, 0));
  }
  return rows;
}

// The firmware's state between polls: the last payload, its clocks, and what to show when
// Wi-Fi or the server is gone. Pure (no ESPHome types), so the host tests cover it too.
struct Firmware {
  Screen screen;
  std::vector<std::string> glyphs;  // hex, as sent; loaded into CGRAM when they change
  bool has_payload = false;
  bool glyphs_changed = false;
  uint64_t fetched_at = 0, changed_at = 0, last_ok = 0, next_poll_at = 0, idle_since = 0;
  uint64_t stale_after_ms = 15000;     // no answer for this long: mark the screen stale
  uint64_t give_up_after_ms = 120000;  // ...and after this long, say the server is gone

  void accept(const Screen &next, const std::vector<std::string> &next_glyphs, uint64_t next_poll_ms,
              uint64_t now, uint64_t min_poll_ms, uint64_t max_poll_ms) {
    if (!has_payload || next.title != screen.title || next.artist != screen.artist ||
        next.album != screen.album || next.state != screen.state)
      changed_at = now;
    const bool idle = next.state != "playing";
    if (!idle || !has_payload || screen.state == "playing") idle_since = now;
    if (next_glyphs != glyphs) {
      glyphs = next_glyphs;
      glyphs_changed = true;
    }
    screen = next;
    has_payload = true;
    fetched_at = last_ok = now;
    if (next_poll_ms < min_poll_ms) next_poll_ms = min_poll_ms;
    if (next_poll_ms > max_poll_ms) next_poll_ms = max_poll_ms;
    next_poll_at = now + next_poll_ms;
  }

  void failed(uint64_t now, uint64_t retry_ms) { next_poll_at = now + retry_ms; }

  bool poll_due(uint64_t now) const { return now >= next_poll_at; }

  // Nothing playing for `timeout_ms` (0 = never): the backlight may go off.
  bool backlight_wanted(uint64_t now, uint64_t timeout_ms) const {
    return timeout_ms == 0 || !has_payload || screen.state == "playing" || now - idle_since < timeout_ms;
  }

  std::vector<std::string> message(const std::string &first, const std::string &second) const {
    Screen text;
    text.cols = screen.cols;
    text.rows = screen.rows;
    text.title = first;
    text.artist = second;
    return render(text, 0, 0);
  }

  std::vector<std::string> frame(uint64_t now, bool network_up) const {
    if (!network_up) return message("Connecting WiFi", "");
    if (!has_payload) return message(now < give_up_after_ms ? "Connecting..." : "Server", "unreachable");
    if (now - last_ok > give_up_after_ms) return message("Server", "unreachable");
    Screen shown = screen;
    if (now - last_ok > stale_after_ms && !shown.stale) {
      shown.stale = true;
      shown.mark = "!";
    }
    return render(shown, now - fetched_at, now - changed_at);
  }
};

}  // namespace spotify_lcd
