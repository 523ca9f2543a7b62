// What the firmware's host tests share: a check that counts, and the golden vectors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "payload.h"

namespace host_test {

void check(bool ok, const std::string &what);

std::string to_hex(const std::string &bytes);

// One line of tests/golden/screen_vectors.txt: a payload, two clocks and the rows expected.
struct Vector {
  std::string name;
  esphome::spotify_lcd::Payload payload;
  uint64_t since_fetch_ms = 0;
  uint64_t since_change_ms = 0;
  std::vector<std::string> rows;  // HD44780 bytes
};

std::vector<Vector> read_vectors(const char *path);

// A 16x2 payload of a track playing, with its five glyphs.
esphome::spotify_lcd::Payload track(const std::string &title = "Paparazzi");

// The suites.
void test_render(const std::vector<Vector> &vectors);
void test_device_text();
void test_firmware();
void test_controls();
void test_glass(const std::vector<Vector> &vectors);

}  // namespace host_test
