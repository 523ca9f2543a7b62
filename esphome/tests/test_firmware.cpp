// The state between answers: scheduling across the 32-bit millis() wrap (defect 2), payloads
// checked against the display (defect 4), a request in flight never holding up the frames and
// stale data shown as stale, polled or pushed (defect 5), and every failure's message.
#include <cstdint>
#include <limits>

#include "firmware.h"
#include "host_test.h"

namespace host_test {

using namespace esphome::spotify_lcd;

namespace {

constexpr uint64_t WRAP = uint64_t{1} << 32;  // where millis() wraps, 49.7 days after boot
const std::string PLAY_GLYPH = "0010181c1e1c1810";

}  // namespace

Payload track(const std::string &title) {
  Payload payload;
  payload.version = 2;
  payload.state = "playing";
  payload.cols = 16;
  payload.rows = 2;
  payload.title = title;
  payload.artist = "Lady Gaga";
  payload.album = "The Fame";
  payload.progress = 1000;
  payload.duration = 100000;
  payload.bar = "\x08\x01\x02\x03\xc3\xbf";  // CGRAM 0-3, then U+00FF (the ROM's full block)
  payload.icon = "\x04";
  payload.glyphs = {"0010101010101000", "0018181818181800", "001c1c1c1c1c1c00", "001e1e1e1e1e1e00", PLAY_GLYPH};
  payload.next_poll = 5000;
  return payload;
}

namespace {

Firmware firmware(int cols = 16, int rows = 2, uint64_t now = 0, const std::string &source = "Server") {
  return Firmware(cols, rows, Timing{}, source, now);
}

bool rows_fit(const std::vector<std::string> &rows, int cols, int count) {
  if (static_cast<int>(rows.size()) != count) return false;
  for (const auto &row : rows)
    if (static_cast<int>(row.size()) != cols) return false;
  return true;
}

void polls_across_the_millis_wrap() {
  // Answered 3 s before millis() would wrap, asked to come back in 5 s.
  auto fw = firmware(16, 2, WRAP - 60000);
  check(fw.start_request(WRAP - 3000), "wrap: first request");
  check(fw.accept(WRAP - 3000, track()) == nullptr, "wrap: answer accepted");
  check(!fw.start_request(WRAP + 1999), "wrap: not due before the hint");
  check(fw.start_request(WRAP + 2000), "wrap: due after the wrap (the old firmware never polled again)");
  // A whole day of polls around the wrap, the server answering every time: never a gap.
  auto day = firmware(16, 2, WRAP - 43200000);
  uint64_t last_request = WRAP - 43200000, longest_gap = 0;
  int requests = 0;
  for (uint64_t now = WRAP - 43200000; now < WRAP + 43200000; now += 250) {
    if (!day.start_request(now)) continue;
    requests++;
    if (now - last_request > longest_gap && requests > 1) longest_gap = now - last_request;
    last_request = now;
    day.accept(now, track());
  }
  check(requests > 17000 && longest_gap <= 5250, "wrap: polls every 5 s for a day across the wrap, " +
                                                      std::to_string(requests) + " requests, longest gap " +
                                                      std::to_string(longest_gap) + " ms");
  check(day.frame(last_request + 1000, true)[0] == "Paparazzi       ", "wrap: the track is shown after the wrap");
}

void payloads_are_checked_against_the_display() {
  auto big = firmware(20, 4);
  check(rows_fit(big.frame(1000, true), 20, 4) && big.frame(1000, true)[0] == "Connecting...       ",
        "20x4 before the first answer: 20x4 messages");
  check(rows_fit(big.frame(1000, false), 20, 4) && big.frame(1000, false)[0] == "Connecting WiFi     ",
        "20x4 without Wi-Fi: 20x4 messages");
  // Laid out for 16x2, drawn at the display's own size.
  check(!laid_out_for(track(), 20, 4), "a 16x2 payload is not laid out for 20x4");
  check(big.accept(1000, track()) == nullptr, "a 16x2 payload on a 20x4 display is shown");
  const auto rows = big.frame(1000, true);
  check(rows_fit(rows, 20, 4) && rows[0] == "Paparazzi           " && rows[2] == "The Fame            ",
        "...at 20x4: the album on row 3");

  struct Hostile {
    const char *what;
    Payload payload;
  };
  std::vector<Hostile> hostile;
  auto with = [](auto change) {
    Payload payload = track();
    change(payload);
    return payload;
  };
  hostile.push_back({"a two-cell mark", with([](Payload &p) { p.mark = "!!", p.stale = true; })});
  hostile.push_back({"a two-cell icon", with([](Payload &p) { p.icon = "\x04\x04"; })});
  hostile.push_back({"a four-cell bar", with([](Payload &p) { p.bar = "\x08\x01\x02\x03"; })});
  hostile.push_back({"nine glyphs", with([](Payload &p) { p.glyphs.resize(9, PLAY_GLYPH); })});
  hostile.push_back({"a glyph of 6-bit rows", with([](Payload &p) { p.glyphs[0] = "3f3f3f3f3f3f3f3f"; })});
  hostile.push_back({"a glyph of 7 rows", with([](Payload &p) { p.glyphs[0] = "00101010101010"; })});
  hostile.push_back({"version 1", with([](Payload &p) { p.version = 1; })});
  for (const auto &bad : hostile) {
    auto fw = firmware();
    fw.start_request(0);
    check(fw.accept(0, bad.payload) != nullptr, std::string("refused: ") + bad.what);
    check(fw.frame(0, true)[0] == "Bad answer from " && fw.frame(0, true)[1] == "Server          ",
          std::string("says so on the glass: ") + bad.what);
    check(!fw.in_flight() && !fw.start_request(29999) && fw.start_request(30000),
          std::string("asks again after the longest wait: ") + bad.what);
  }

  // Numbers no track has: clamped, and the rows still fit (UBSan watches the arithmetic).
  for (int64_t number : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), int64_t{-1},
                         LONGEST_MS + 1}) {
    for (int cols_rows = 0; cols_rows < 3; cols_rows++) {
      const int cols = cols_rows == 0 ? 16 : 20, rows_count = cols_rows == 2 ? 4 : 2;
      auto fw = firmware(cols, rows_count);
      Payload payload = track();
      payload.progress = payload.duration = payload.next_poll = number;
      check(fw.accept(0, payload) == nullptr, "huge numbers accepted " + std::to_string(number));
      bool fit = true;
      for (uint64_t now : {uint64_t{0}, uint64_t{5200}, uint64_t{86400000}})
        fit = fit && rows_fit(fw.frame(now, true), cols, rows_count);
      check(fit, "huge numbers: every row exactly the display's width " + std::to_string(number));
      check(!fw.start_request(999) && fw.start_request(30000), "hint clamped between 1 s and 30 s");
    }
  }

  // A glyph code whose slot the payload does not load draws a space, not an older glyph.
  auto fw = firmware();
  Payload unloaded = track("A\x07Z");
  check(fw.accept(0, unloaded) == nullptr && fw.frame(0, true)[0] == "A Z             ",
        "glyph code of an empty slot is blanked");
  // Strings with bytes the display would act on are drawn as spaces.
  Payload controls = track(std::string("new\nline\0nul", 12));
  controls.artist = "\xc0\x8a\xc0\x80";
  check(fw.accept(0, controls) == nullptr && fw.frame(0, true)[0] == "new line nul    " &&
            fw.frame(0, true)[1] == "                ",
        "new line, NUL and their overlong forms are spaces");
}

void frames_move_while_a_request_is_in_flight() {
  auto fw = firmware();
  check(fw.start_request(0), "first request at once");
  fw.accept(0, track("A title far too long for sixteen cells"));
  check(fw.start_request(5000), "second request after the hint");
  // The server hangs: the request stays in flight, no second one starts, the marquee moves.
  std::vector<std::string> titles;
  bool no_second = true;
  for (uint64_t now = 5000; now <= 14000; now += 350) {
    titles.push_back(fw.frame(now, true)[0]);
    no_second = no_second && !fw.start_request(now);
  }
  check(no_second && fw.in_flight(), "one request at a time");
  check(titles.front() != titles.back() && titles[5] != titles[6], "the marquee scrolls while the request hangs");
  check(fw.frame(14000, true)[0].back() != '!', "no stale marker within 15 s");
  check(fw.frame(15001, true)[0].back() == '!', "stale marker after 15 s without an answer");
  fw.fail(20000, Failure::UNREACHABLE);
  check(!fw.start_request(24999) && fw.start_request(25000), "retry 5 s after an unreachable server");
  fw.fail(25000, Failure::UNREACHABLE);
  check(fw.frame(119999, true)[0].back() == '!', "the last track stays up, marked, for two minutes");
  check(fw.frame(120001, true) == std::vector<std::string>({"Server          ", "unreachable     "}),
        "then: Server unreachable");
  check(fw.start_request(30000) && fw.accept(130000, track()) == nullptr &&
            fw.frame(130000, true)[0] == "Paparazzi       ",
        "an answer brings the track back");
  check(fw.frame(130000, false)[0] == "Connecting WiFi ", "Wi-Fi down");
}

void every_failure_says_what_to_do() {
  struct Case {
    int status;
    bool at_once;
    std::vector<std::string> rows;
  };
  const Case cases[] = {
      {400, true, {"Bad request     ", "check uid (400) "}},
      {401, true, {"Device key      ", "required (401)  "}},
      {403, true, {"Wrong device key", "(HTTP 403)      "}},
      {404, true, {"Unknown uid     ", "(HTTP 404)      "}},
      {429, true, {"Too many wrong  ", "keys: wait (429)"}},
      {500, false, {"Server error    ", "HTTP 500        "}},
      {302, false, {"Server error    ", "HTTP 302        "}},
  };
  for (const auto &c : cases) {
    auto fw = firmware();
    fw.start_request(0);
    fw.accept(0, track());
    fw.start_request(5000);
    Fetched fetched;
    fetched.connected = true;
    fetched.status = c.status;
    fw.fail(5000, failure_of(fetched), fetched.status);
    const auto now = fw.frame(5000, true), later = fw.frame(200000, true);
    const std::string name = "HTTP " + std::to_string(c.status);
    check(c.at_once ? now == c.rows : now[0] == "Paparazzi       ", name + (c.at_once ? ": at once" : ": track stays"));
    check(later == c.rows, name + ": " + later[0] + "/" + later[1]);
  }
  Fetched cut;
  cut.connected = true;
  cut.status = 200;
  check(failure_of(cut) == Failure::BAD_ANSWER, "a 200 cut at the buffer's end is a bad answer");
  check(failure_of(Fetched{}) == Failure::UNREACHABLE, "no status: unreachable");
  auto early = firmware();
  early.start_request(0);
  early.fail(4500, Failure::UNREACHABLE);
  check(early.frame(119000, true)[0] == "Connecting...   " && early.frame(121000, true)[0] == "Server          ",
        "no answer since boot: Connecting..., then Server unreachable after two minutes");
}

void pushed_payloads_go_stale_when_home_assistant_does() {
  auto fw = firmware(16, 2, 0, "Home Assistant");
  fw.link_up(0);
  check(fw.frame(100000, true)[0] == "Connecting...   ", "HA: waiting for the first push");
  fw.link_up(121000);
  check(fw.frame(121000, true) == std::vector<std::string>({"No payload from ", "Home Assistant  "}),
        "HA: connected, nothing pushed for two minutes");
  check(fw.accept(130000, track()) == nullptr, "HA: push accepted");
  for (uint64_t now = 130000; now < 1000000; now += 1000) fw.link_up(now);  // paused: no pushes, link up
  check(fw.frame(1000000, true)[0] == "Paparazzi       ", "HA: link up, no pushes: the screen is current");
  check(fw.frame(1015001, true)[0] == "Paparazzi      !", "HA: link down for 15 s: stale marker");
  check(fw.frame(1120001, true) == std::vector<std::string>({"Home Assistant  ", "unreachable     "}),
        "HA: link down for two minutes: Home Assistant unreachable");
  Payload not_v2;
  check(fw.accept(1200000, not_v2) != nullptr &&
            fw.frame(1200000, true) == std::vector<std::string>({"Bad answer from ", "Home Assistant  "}),
        "HA: a push that is not a payload says so");
}

void glyphs_and_backlight() {
  auto fw = firmware();
  std::vector<Glyph> glyphs;
  check(!fw.take_new_glyphs(glyphs), "no glyphs before a payload");
  fw.accept(0, track());
  check(fw.take_new_glyphs(glyphs) && glyphs.size() == 5 && glyphs[4][1] == 0x10, "new glyphs handed over once");
  check(!fw.take_new_glyphs(glyphs), "...and only once");
  fw.accept(5000, track());
  check(!fw.take_new_glyphs(glyphs), "same glyphs are not reloaded");
  Payload idle = track("Nothing playing");
  idle.state = "idle";
  idle.glyphs.clear();
  idle.bar = idle.icon = "";
  fw.accept(10000, idle);
  check(fw.take_new_glyphs(glyphs) && glyphs.empty(), "a change to no glyphs is handed over too");
  for (uint64_t now = 15000; now <= 305000; now += 5000) fw.accept(now, idle);  // still idle, poll after poll
  check(fw.backlight_wanted(10000 + 299000, true), "backlight on within the idle timeout");
  check(!fw.backlight_wanted(10000 + 301000, true), "backlight off after the idle timeout");
  check(fw.backlight_wanted(10000 + 301000, false), "backlight on for a message");
  Firmware always(16, 2, Timing{1000, 30000, 5000, 15000, 120000, 0}, "Server", 0);
  always.accept(0, idle);
  check(always.backlight_wanted(1000000000, true), "timeout 0 keeps the backlight on");
}

}  // namespace

void test_firmware() {
  polls_across_the_millis_wrap();
  payloads_are_checked_against_the_display();
  frames_move_while_a_request_is_in_flight();
  every_failure_says_what_to_do();
  pushed_payloads_go_stale_when_home_assistant_does();
  glyphs_and_backlight();
}

}  // namespace host_test
