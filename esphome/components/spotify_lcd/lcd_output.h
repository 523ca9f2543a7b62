// Putting a frame and its glyphs on an ESPHome HD44780 display (lcd_pcf8574, lcd_gpio).
// The host tests run these against ESPHome's own lcd_display.cpp.
#pragma once

#include <string>
#include <vector>

#include "esphome/components/lcd_base/lcd_display.h"
#include "device_text.h"

namespace esphome::spotify_lcd {

// Each row holds exactly the display's columns and no 0x00 or 0x0A (device_text.h), so
// print() neither stops early nor moves to another row.
inline void print_rows(lcd_base::LCDDisplay &display, const std::vector<std::string> &rows) {
  for (size_t row = 0; row < rows.size(); row++) display.print(0, row, rows[row].c_str());
}

// Glyph n into CGRAM slot n, where the bytes cgram_code(n) show it.
inline void load_glyphs(lcd_base::LCDDisplay &display, std::vector<Glyph> glyphs) {
  for (size_t slot = 0; slot < glyphs.size(); slot++) display.loadchar(slot, glyphs[slot].data());
}

}  // namespace esphome::spotify_lcd
