// A /get v2 body as it arrived, and its check against the display before anything is shown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device_text.h"
#include "render.h"

namespace esphome::spotify_lcd {

constexpr int PAYLOAD_VERSION = 2;
// Longer than any track, short enough that the layout's arithmetic never overflows.
constexpr int64_t LONGEST_MS = 0x7FFFFFFF;

// The fields of a v2 body, as the JSON reader found them (strings still UTF-8).
struct Payload {
  int64_t version = 0;
  std::string state;
  int64_t cols = 0;
  int64_t rows = 0;
  std::string title, artist, album;
  int64_t progress = 0;
  int64_t duration = 0;
  bool stale = false;
  std::string bar, icon, mark;
  std::vector<std::string> glyphs;
  int64_t next_poll = 0;
};

// A payload that passed the checks: what to draw on this display, and the glyphs to load.
struct Checked {
  Screen screen;
  std::vector<Glyph> glyphs;
  int64_t next_poll_ms = 0;
};

inline int64_t clamp_ms(int64_t value, int64_t low, int64_t high) {
  return value < low ? low : (value > high ? high : value);
}

// A decoded field with every glyph code of an empty CGRAM slot blanked: the slot still holds
// the dots of an earlier screen.
inline std::string device_text(const std::string &utf8, size_t loaded_slots) {
  std::string text = decode_device_string(utf8);
  for (char &byte : text) {
    const int slot = cgram_slot(static_cast<uint8_t>(byte));
    if (slot >= 0 && static_cast<size_t>(slot) >= loaded_slots) byte = ' ';
  }
  return text;
}

// Whether the server laid the payload out for this display (if not, it is drawn at the
// display's own size: the strings do not depend on it).
inline bool laid_out_for(const Payload &payload, int cols, int rows) {
  return payload.cols == cols && payload.rows == rows;
}

// nullptr and `checked` filled when `payload` can be drawn on a `cols` x `rows` display; else
// what is wrong with it.
inline const char *check_payload(const Payload &payload, int cols, int rows, Checked &checked) {
  if (payload.version != PAYLOAD_VERSION) return "not a v2 payload";
  if (payload.glyphs.size() > CGRAM_SLOTS) return "more than 8 glyphs";
  checked.glyphs.assign(payload.glyphs.size(), Glyph{});
  for (size_t slot = 0; slot < payload.glyphs.size(); slot++)
    if (!parse_glyph_hex(payload.glyphs[slot], checked.glyphs[slot])) return "a glyph is not 8 rows of 5 dots in hex";
  const size_t loaded = payload.glyphs.size();
  Screen &screen = checked.screen;
  screen.cols = cols;
  screen.rows = rows;
  screen.state = payload.state;
  screen.title = device_text(payload.title, loaded);
  screen.artist = device_text(payload.artist, loaded);
  screen.album = device_text(payload.album, loaded);
  screen.bar = device_text(payload.bar, loaded);
  screen.icon = device_text(payload.icon, loaded);
  screen.mark = device_text(payload.mark, loaded);
  if (!screen.bar.empty() && screen.bar.size() != BAR_LEVELS) return "the bar is not 5 cells";
  // Wider ones would push the row past the display's edge.
  if (screen.icon.size() > 1 || screen.mark.size() > 1) return "the icon or the mark is wider than one cell";
  screen.duration = clamp_ms(payload.duration, 0, LONGEST_MS);
  screen.progress = clamp_ms(payload.progress, 0, LONGEST_MS);
  screen.stale = payload.stale;
  checked.next_poll_ms = payload.next_poll;
  return nullptr;
}

}  // namespace esphome::spotify_lcd
