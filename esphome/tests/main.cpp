// The firmware's host tests: the component's pure C++ (render, decoding, the state between
// answers, the playback controls) and ESPHome's own LCDDisplay, built with ASan/UBSan.
// Usage: run [screen_vectors.txt]
#include <cstdio>
#include <fstream>
#include <sstream>

#include "host_test.h"

namespace host_test {

namespace {
int passed = 0, failed = 0;

std::string from_hex(const std::string &hex) {
  if (hex == "-") return "";
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}
}  // namespace

void check(bool ok, const std::string &what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    std::printf("FAIL %s\n", what.c_str());
  }
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

std::vector<Vector> read_vectors(const char *path) {
  std::ifstream file(path);
  check(file.good(), std::string("open ") + path);
  std::vector<Vector> vectors;
  for (std::string line; std::getline(file, line);) {
    std::istringstream in(line);
    Vector vector;
    auto &payload = vector.payload;
    std::string title, artist, album, bar, icon, mark, glyphs;
    int stale = 0;
    in >> vector.name >> payload.cols >> payload.rows >> payload.state >> title >> artist >> album >>
        payload.progress >> payload.duration >> stale >> bar >> icon >> mark >> glyphs >> payload.next_poll >>
        vector.since_fetch_ms >> vector.since_change_ms;
    payload.version = 2;
    payload.title = from_hex(title);
    payload.artist = from_hex(artist);
    payload.album = from_hex(album);
    payload.bar = from_hex(bar);
    payload.icon = from_hex(icon);
    payload.mark = from_hex(mark);
    payload.stale = stale != 0;
    if (glyphs != "-") {
      std::istringstream list(glyphs);
      for (std::string glyph; std::getline(list, glyph, ',');) payload.glyphs.push_back(glyph);
    }
    for (std::string row; in >> row;) vector.rows.push_back(from_hex(row));
    check(!in.bad() && !vector.rows.empty(), "vector line reads: " + vector.name);
    vectors.push_back(vector);
  }
  return vectors;
}

}  // namespace host_test

int main(int argc, char **argv) {
  using namespace host_test;
  const auto vectors = read_vectors(argc > 1 ? argv[1] : "tests/golden/screen_vectors.txt");
  check(vectors.size() >= 70, "at least 70 golden vectors");
  test_render(vectors);
  test_device_text();
  test_firmware();
  test_controls();
  test_glass(vectors);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
