// The device encoding (README, "/get contract"): a payload string's code points U+0000-U+00FF
// are HD44780 bytes, CGRAM slot n travelling as byte n and slot 0 as its mirror 0x08. Only
// bytes that draw may reach ESPHome's LCDDisplay::print, which ends a string at 0x00 and
// starts a new row at 0x0A.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace esphome::spotify_lcd {

constexpr int CGRAM_SLOTS = 8;
constexpr int GLYPH_ROWS = 8;
constexpr uint8_t FIRST_ROM_BYTE = 0x20;

using Glyph = std::array<uint8_t, GLYPH_ROWS>;

// The byte that shows CGRAM `slot`: 0x08 for slot 0 (0x00 would end the string), else the slot.
constexpr uint8_t cgram_code(int slot) { return slot == 0 ? 0x08 : static_cast<uint8_t>(slot); }

// The CGRAM slot byte `code` shows, or -1 for a ROM byte (or one that is never sent).
constexpr int cgram_slot(uint8_t code) {
  if (code == 0x08) return 0;
  return code >= 0x01 && code <= 0x07 ? code : -1;
}

// A code point as the byte to draw: ROM bytes and glyph codes as they are, anything else a space.
constexpr char device_byte(uint32_t code_point) {
  if (code_point > 0xFF) return ' ';
  const auto byte = static_cast<uint8_t>(code_point);
  return byte >= FIRST_ROM_BYTE || cgram_slot(byte) >= 0 ? static_cast<char>(byte) : ' ';
}

// UTF-8 -> HD44780 bytes. Each ill-formed sequence (a stray continuation byte, an overlong or
// surrogate form, a lead byte cut short) is one space, and the byte that ended it starts the
// next character, as Unicode's "maximal subpart" practice says: nothing after it is lost.
inline std::string decode_device_string(const std::string &utf8) {
  std::string out;
  out.reserve(utf8.size());
  const size_t size = utf8.size();
  for (size_t i = 0; i < size;) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    if (lead < 0x80) {
      out.push_back(device_byte(lead));
      i += 1;
      continue;
    }
    // The continuation bytes a lead byte needs, and the range its first one must fall in.
    int needed = 0;
    uint32_t code_point = 0;
    uint8_t first_low = 0x80, first_high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
      code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      code_point = lead & 0x0F;
      if (lead == 0xE0) first_low = 0xA0;   // overlong
      if (lead == 0xED) first_high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      code_point = lead & 0x07;
      if (lead == 0xF0) first_low = 0x90;   // overlong
      if (lead == 0xF4) first_high = 0x8F;  // above U+10FFFF
    } else {
      // C0/C1 (overlong), F5-FF, or a continuation byte with no lead.
      out.push_back(' ');
      i += 1;
      continue;
    }
    size_t next = i + 1;
    bool complete = true;
    for (int k = 0; k < needed; k++, next++) {
      const uint8_t low = k == 0 ? first_low : 0x80, high = k == 0 ? first_high : 0xBF;
      if (next >= size || static_cast<uint8_t>(utf8[next]) < low || static_cast<uint8_t>(utf8[next]) > high) {
        complete = false;
        break;
      }
      code_point = (code_point << 6) | (static_cast<uint8_t>(utf8[next]) & 0x3F);
    }
    out.push_back(complete ? device_byte(code_point) : ' ');
    i = next;
  }
  return out;
}

// "0010181c1e1c1810" -> 8 rows of 5 dots (bit 4 = leftmost). False if malformed.
inline bool parse_glyph_hex(const std::string &hex, Glyph &glyph) {
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
    glyph[row] = static_cast<uint8_t>(value);
  }
  return true;
}

}  // namespace esphome::spotify_lcd
