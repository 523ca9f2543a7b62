// Defect 3: UTF-8 -> HD44780 bytes. Every ill-formed sequence is one space and loses nothing
// after it; no input yields 0x00 or 0x0A (LCDDisplay::print's end of string and new row).
#include <random>

#include "device_text.h"
#include "host_test.h"

namespace host_test {

using namespace esphome::spotify_lcd;

namespace {

bool drawable(const std::string &bytes) {
  for (unsigned char byte : bytes)
    if (byte < FIRST_ROM_BYTE && cgram_slot(byte) < 0) return false;
  return true;
}

void decodes(const std::string &utf8, const std::string &bytes, const std::string &what) {
  const std::string got = decode_device_string(utf8);
  check(got == bytes, what + ": got " + to_hex(got) + " want " + to_hex(bytes));
}

}  // namespace

void test_device_text() {
  decodes("Caf\xc3\xa9", "Caf\xe9", "two-byte sequence: one byte (U+00E9)");
  decodes("\xc3\xbf", "\xff", "U+00FF, the A00 full block");
  decodes("\xc2\x80", "\x80", "U+0080 is a ROM byte (A02 draws it)");
  decodes(std::string("\x08\x01\x02\x07", 4), std::string("\x08\x01\x02\x07", 4), "glyph codes pass as they are");
  // The defect: C3 41 42 showed as U+00C1 and "B".
  decodes("\xc3" "AB", " AB", "truncated lead byte: a space, and the A after it is kept");
  decodes("\xc0\x80", "  ", "overlong C0 80 (NUL) is two spaces, never 0x00");
  decodes("\xc0\x8a", "  ", "overlong C0 8A (new line) is two spaces, never 0x0A");
  decodes("\xc1\xbf", "  ", "overlong C1 lead");
  decodes("\xe0\x80\x80", "   ", "overlong three-byte form");
  decodes("\xed\xa0\x80", "   ", "UTF-16 surrogate");
  decodes("\xf4\x90\x80\x80", "    ", "above U+10FFFF");
  decodes("\xf0\x9f\x8e\xb5" "x", " x", "an emoji is one cell");
  decodes("\xe3\x81\x82", " ", "a code point above U+00FF is one space");
  decodes("\xc4\x80", " ", "U+0100 is one space");
  decodes("\x80" "A", " A", "stray continuation byte");
  decodes("A\xe3\x81", "A ", "sequence cut by the end of the string");
  decodes("\xe3\x81" "A", " A", "three-byte sequence cut short keeps what follows");
  decodes(std::string("a\0b", 3), "a b", "U+0000 is a space");
  decodes("a\nb\tc\rd", "a b c d", "line feed, tab and return are spaces");
  decodes("\x1f\x0b\x0c", "   ", "other control characters are spaces");
  decodes("\xc2\x8a", "\x8a", "U+008A is ROM byte 0x8A, not a new line");

  // Every one- and two-byte input, and a million random ones up to six bytes: only drawable
  // bytes come out, never more cells than bytes went in.
  bool all_drawable = true, never_longer = true;
  for (int first = 0; first < 256; first++) {
    for (int second = -1; second < 256; second++) {
      std::string input(1, static_cast<char>(first));
      if (second >= 0) input.push_back(static_cast<char>(second));
      const std::string out = decode_device_string(input);
      all_drawable = all_drawable && drawable(out);
      never_longer = never_longer && out.size() <= input.size();
    }
  }
  std::mt19937 random(12);
  std::uniform_int_distribution<int> byte(0, 255), length(1, 6);
  for (int round = 0; round < 1000000; round++) {
    std::string input;
    for (int i = length(random); i > 0; i--) input.push_back(static_cast<char>(byte(random)));
    const std::string out = decode_device_string(input);
    all_drawable = all_drawable && drawable(out);
    never_longer = never_longer && out.size() <= input.size();
  }
  check(all_drawable, "no input decodes to a byte that does not draw (0x00, 0x0A, ...)");
  check(never_longer, "no input decodes to more cells than bytes");

  Glyph glyph{};
  check(parse_glyph_hex("0010181c1e1c1810", glyph) && glyph[1] == 0x10 && glyph[4] == 0x1e, "parse play glyph");
  check(!parse_glyph_hex("0010181c1e1c18", glyph), "short glyph refused");
  check(!parse_glyph_hex("ff10181c1e1c1810", glyph), "row over 5 bits refused");
  check(!parse_glyph_hex("zz10181c1e1c1810", glyph), "non-hex refused");
  for (int slot = 0; slot < CGRAM_SLOTS; slot++)
    check(cgram_slot(cgram_code(slot)) == slot && cgram_code(slot) != 0x00 && cgram_code(slot) != 0x0A,
          "CGRAM slot " + std::to_string(slot) + " has a code that draws");
}

}  // namespace host_test
