// The screen layout: a v2 payload's fields plus two clocks -> the bytes of every LCD row.
//
// Mirrors src/spotifylcd/screen.py byte for byte; both are checked against the golden vectors
// in tests/golden/. Plain C++17 without ESPHome, so the host tests compile this very file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace esphome::spotify_lcd {

constexpr uint64_t MARQUEE_PAUSE_MS = 2000;
constexpr uint64_t MARQUEE_STEP_MS = 350;
constexpr uint64_t ARTIST_PHASE_MIN_MS = 5000;
constexpr uint64_t STATUS_PHASE_MS = 4000;
constexpr int WIDE_COLUMNS = 20;
constexpr int BAR_LEVELS = 5;

// What the layout reads from a payload; strings are HD44780 bytes, one per cell.
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
  // A row that ran over (times of hundreds of hours) would spill into the next one on the
  // glass: ESPHome's print() carries on past the end of a row.
  for (auto &row : rows)
    if (static_cast<int>(row.size()) > screen.cols) row.resize(screen.cols);
  return rows;
}

}  // namespace esphome::spotify_lcd
