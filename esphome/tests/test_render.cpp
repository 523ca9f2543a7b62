// Host test of spotify_lcd.h: the golden vectors the Python renderer also passes, plus the
// decoding helpers. Build: see scripts/test (-I esphome/components/spotify_lcd).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "spotify_lcd.h"

namespace {

int passed = 0, failed = 0;

void check(bool ok, const std::string &what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    std::printf("FAIL %s\n", what.c_str());
  }
}

std::string from_hex(const std::string &hex) {
  if (hex == "-") return "";
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string to_hex(const std::string &bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

void golden_vectors(const char *path) {
  std::ifstream file(path);
  check(file.good(), std::string("open ") + path);
  std::string line;
  int vectors = 0;
  while (std::getline(file, line)) {
    std::istringstream in(line);
    std::string name, state, title, artist, album, bar, icon, mark;
    int64_t progress, duration;
    int stale;
    uint64_t since_fetch, since_change;
    spotify_lcd::Screen screen;
    in >> name >> screen.cols >> screen.rows >> state >> title >> artist >> album >> progress >> duration >>
        stale >> bar >> icon >> mark >> since_fetch >> since_change;
    screen.state = state;
    screen.title = spotify_lcd::decode_device_string(from_hex(title));
    screen.artist = spotify_lcd::decode_device_string(from_hex(artist));
    screen.album = spotify_lcd::decode_device_string(from_hex(album));
    screen.bar = spotify_lcd::decode_device_string(from_hex(bar));
    screen.icon = spotify_lcd::decode_device_string(from_hex(icon));
    screen.mark = spotify_lcd::decode_device_string(from_hex(mark));
    screen.progress = progress;
    screen.duration = duration;
    screen.stale = stale != 0;
    const auto rows = spotify_lcd::render(screen, since_fetch, since_change);
    std::vector<std::string> expected;
    for (std::string row; in >> row;) expected.push_back(row);
    check(rows.size() == expected.size(), name + " row count");
    for (size_t i = 0; i < rows.size() && i < expected.size(); i++) {
      check(to_hex(rows[i]) == expected[i], name + " t=" + std::to_string(since_fetch) + " row " + std::to_string(i) +
                                                ": got " + to_hex(rows[i]) + " want " + expected[i]);
    }
    vectors++;
  }
  check(vectors >= 40, "at least 40 golden vectors");
}

void helpers() {
  // U+00FF (ÿ, the A00 full block) arrives as C3 BF; CGRAM 0 as U+0008.
  check(spotify_lcd::decode_device_string("\xc3\xbf\x08" "A") == std::string("\xff\x08" "A"), "decode 2-byte and ASCII");
  check(spotify_lcd::decode_device_string("\xe3\x81\x82") == " ", "a code point above U+00FF becomes a space");
  check(spotify_lcd::decode_device_string("\xc3") == " ", "a truncated sequence becomes a space");
  uint8_t rows[8];
  check(spotify_lcd::parse_glyph_hex("0010181c1e1c1810", rows) && rows[1] == 0x10 && rows[4] == 0x1e, "parse play glyph");
  check(!spotify_lcd::parse_glyph_hex("0010181c1e1c18", rows), "short glyph refused");
  check(!spotify_lcd::parse_glyph_hex("ff10181c1e1c1810", rows), "row over 5 bits refused");
  check(!spotify_lcd::parse_glyph_hex("zz10181c1e1c1810", rows), "non-hex refused");
  check(spotify_lcd::clock_text(3723000) == "1:02:03", "clock with hours");
  check(spotify_lcd::marquee("abcdefg", 4, 2350) == "bcde", "marquee step");
  check(spotify_lcd::progress_bar(30000, 100000, 4, "12345") == "51  ", "progress bar");
}

void firmware_states() {
  spotify_lcd::Firmware firmware;
  firmware.screen.cols = 16;
  firmware.screen.rows = 2;
  check(firmware.frame(0, false)[0] == "Connecting WiFi ", "no Wi-Fi screen");
  check(firmware.frame(1000, true)[0] == "Connecting...   ", "first poll pending");
  check(firmware.poll_due(0), "first poll due at once");
  spotify_lcd::Screen track;
  track.cols = 16;
  track.rows = 2;
  track.state = "playing";
  track.title = "Paparazzi";
  track.artist = "Lady Gaga";
  track.progress = 1000;
  track.duration = 100000;
  track.bar = "\x08\x09\x0a\x0b\xff";
  track.icon = "\x0c";
  firmware.accept(track, {"0010101010101000"}, 99000, 5000, 1000, 30000);
  check(firmware.glyphs_changed, "new glyphs flagged for loading");
  check(firmware.next_poll_at == 35000, "next-poll hint clamped to the maximum");
  check(firmware.frame(5000, true)[0] == "Paparazzi       ", "track shown");
  check(firmware.frame(5000 + 16000, true)[0] == "Paparazzi      !", "stale marker after 15 s without an answer");
  check(firmware.frame(5000 + 121000, true)[1] == "unreachable     ", "gives up after two minutes");
  firmware.glyphs_changed = false;
  firmware.accept(track, {"0010101010101000"}, 10, 9000, 1000, 30000);
  check(!firmware.glyphs_changed, "same glyphs are not reloaded");
  check(firmware.next_poll_at == 10000, "next-poll hint clamped to the minimum");
  check(firmware.changed_at == 5000, "same item keeps its marquee clock");
  spotify_lcd::Screen idle = track;
  idle.state = "idle";
  idle.title = "Nothing playing";
  firmware.accept(idle, {}, 30000, 10000, 1000, 30000);
  check(firmware.changed_at == 10000, "a new item restarts the marquee clock");
  check(firmware.backlight_wanted(10000 + 59000, 60000), "backlight on within the idle timeout");
  check(!firmware.backlight_wanted(10000 + 61000, 60000), "backlight off after the idle timeout");
  check(firmware.backlight_wanted(10000 + 61000, 0), "timeout 0 keeps the backlight on");
}

}  // namespace

int main(int argc, char **argv) {
  helpers();
  firmware_states();
  golden_vectors(argc > 1 ? argv[1] : "tests/golden/screen_vectors.txt");
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
