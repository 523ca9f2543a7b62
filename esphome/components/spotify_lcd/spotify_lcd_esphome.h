// Device side only: the /get v2 JSON body -> Screen (ArduinoJson), and drawing a frame.
#pragma once

#include <string>
#include <vector>

#include "esphome/components/json/json_util.h"
#include "esphome/components/lcd_base/lcd_display.h"
#include "esphome/components/wifi/wifi_component.h"
#include "spotify_lcd.h"

namespace spotify_lcd {

// Fill `screen`, `glyphs` and `next_poll_ms` from a v2 body; false if it is not one.
inline bool parse_payload(const std::string &body, Screen &screen, std::vector<std::string> &glyphs,
                          uint64_t &next_poll_ms) {
  return esphome::json::parse_json(body, [&](JsonObject root) -> bool {
    if (root["v"].as<int>() != 2) return false;
    screen.cols = root["cols"] | 16;
    screen.rows = root["rows"] | 2;
    screen.state = root["state"] | "";
    screen.title = decode_device_string(root["title"] | "");
    screen.artist = decode_device_string(root["artist"] | "");
    screen.album = decode_device_string(root["album"] | "");
    screen.progress = root["progress"] | 0;
    screen.duration = root["duration"] | 0;
    screen.stale = root["stale"] | false;
    screen.bar = decode_device_string(root["bar"] | "");
    screen.icon = decode_device_string(root["icon"] | "");
    screen.mark = decode_device_string(root["mark"] | "");
    glyphs.clear();
    for (JsonVariant glyph : root["glyphs"].as<JsonArray>()) glyphs.push_back(glyph.as<std::string>());
    next_poll_ms = root["next_poll"] | 5000;
    return true;
  });
}

// The display lambda: the frame for now, row by row (bytes 0x08-0x0F are CGRAM 0-7).
inline void draw(esphome::lcd_base::LCDDisplay &it, const Firmware &state) {
  const bool network_up = esphome::wifi::global_wifi_component != nullptr &&
                          esphome::wifi::global_wifi_component->is_connected();
  const auto rows = state.frame(esphome::millis(), network_up);
  for (size_t row = 0; row < rows.size(); row++) it.print(0, row, rows[row].c_str());
}

}  // namespace spotify_lcd
