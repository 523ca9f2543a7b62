// The renderer against the golden vectors the Python renderer (screen.py) also passes.
#include "host_test.h"
#include "render.h"

namespace host_test {

using namespace esphome::spotify_lcd;

void test_render(const std::vector<Vector> &vectors) {
  for (const auto &vector : vectors) {
    Checked checked;
    const auto &payload = vector.payload;
    const char *problem = check_payload(payload, payload.cols, payload.rows, checked);
    check(problem == nullptr, vector.name + " passes the payload checks");
    const auto rows = render(checked.screen, vector.since_fetch_ms, vector.since_change_ms);
    check(rows.size() == vector.rows.size(), vector.name + " row count");
    for (size_t i = 0; i < rows.size() && i < vector.rows.size(); i++)
      check(rows[i] == vector.rows[i], vector.name + " t=" + std::to_string(vector.since_fetch_ms) + " row " +
                                           std::to_string(i) + ": got " + to_hex(rows[i]) + " want " +
                                           to_hex(vector.rows[i]));
  }
  check(clock_text(3723000) == "1:02:03", "clock with hours");
  check(clock_text(-5000) == "0:00", "negative time reads 0:00");
  check(marquee("abcdefg", 4, 2350) == "bcde", "marquee step");
  check(progress_bar(30000, 100000, 4, "12345") == "51  ", "progress bar");
  check(progress_bar(-30000, 100000, 4, "12345") == "    ", "negative progress: an empty bar");
}

}  // namespace host_test
