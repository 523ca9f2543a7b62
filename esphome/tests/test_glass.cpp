// Defect 1, on the glass: frames printed through ESPHome's own LCDDisplay (lcd_display.cpp as
// installed, compiled in) into a model of the HD44780's memories. Every glyph index shows its
// CGRAM bitmap in the right cell, and no payload moves text to another row or cuts it short.
#include <functional>

#include "esphome/core/log.h"
#include "firmware.h"
#include "host_test.h"
#include "lcd_output.h"

namespace host_test {

using namespace esphome::spotify_lcd;

namespace {

// An LCDDisplay whose bus writes land in a model of the controller: DDRAM (what each cell
// shows) and CGRAM (the 8 user glyphs), addressed the way the HD44780 does in 2-line mode.
class Glass : public esphome::lcd_base::LCDDisplay {
 public:
  Glass(int cols, int rows) : cols_(cols) {
    this->set_dimensions(cols, rows);
    this->setup();
  }
  ~Glass() override { delete[] this->buffer_; }  // ESPHome's display lives for ever; this one does not

  std::function<void(Glass &)> writer;

  // The bytes in the cells of `row`, as the controller shows them.
  std::string row(int row) const {
    static const uint8_t bases[] = {0x00, 0x40, 0x00, 0x40};
    const int base = bases[row] + (row >= 2 ? this->cols_ : 0);
    return std::string(reinterpret_cast<const char *>(this->ddram_ + base), this->cols_);
  }

  // The dots a cell holding `code` shows, for codes 0x00-0x0F (CGRAM, mirrored at 0x08).
  Glyph cgram_glyph(uint8_t code) const {
    Glyph glyph;
    for (int y = 0; y < GLYPH_ROWS; y++) glyph[y] = this->cgram_[(code & 7) * 8 + y];
    return glyph;
  }

 protected:
  bool is_four_bit_mode() override { return false; }
  void write_n_bits(uint8_t, uint8_t) override {}
  void call_writer() override { this->writer(*this); }
  void send(uint8_t value, bool rs) override {
    if (rs) {
      if (this->in_cgram_) {
        this->cgram_[this->address_ & 0x3F] = value & 0x1F;
        this->address_ = (this->address_ + 1) & 0x3F;
      } else {
        this->ddram_[this->address_] = value;
        // 2-line mode: 0x00-0x27 is line 1, 0x40-0x67 line 2.
        this->address_ = this->address_ == 0x27 ? 0x40 : (this->address_ == 0x67 ? 0x00 : this->address_ + 1);
      }
    } else if (value & 0x80) {
      this->in_cgram_ = false;
      this->address_ = value & 0x7F;
    } else if (value & 0x40) {
      this->in_cgram_ = true;
      this->address_ = value & 0x3F;
    } else if (value == 0x01 || value == 0x02) {  // clear display, return home
      if (value == 0x01)
        for (auto &cell : this->ddram_) cell = ' ';
      this->in_cgram_ = false;
      this->address_ = 0;
    }
  }

  int cols_;
  uint8_t ddram_[0x80]{};
  uint8_t cgram_[64]{};
  bool in_cgram_ = false;
  uint8_t address_ = 0;
};

Timing never_stale() {
  Timing timing;
  timing.stale_after_ms = timing.give_up_after_ms = 0xFFFFFFFF;
  return timing;
}

// What the component does with a frame: glyphs into CGRAM when they change, rows printed by the
// display's writer on its next update.
bool shows(Glass &glass, Firmware &firmware, uint64_t now, std::vector<std::string> &rows) {
  std::vector<Glyph> glyphs;
  if (firmware.take_new_glyphs(glyphs)) load_glyphs(glass, glyphs);
  rows = firmware.frame(now, true);
  glass.writer = [&rows](Glass &it) { print_rows(it, rows); };
  glass.update();
  for (size_t row = 0; row < rows.size(); row++)
    if (glass.row(row) != rows[row]) return false;
  return true;
}

void golden_vectors_on_the_glass(const std::vector<Vector> &vectors) {
  int drawn = 0;
  bool slot_seen[CGRAM_SLOTS] = {};
  for (const auto &vector : vectors) {
    // The firmware keeps one clock per fetch and one per item: a vector whose item changed
    // after its fetch cannot come from it (the renderer test covers those).
    if (vector.since_fetch_ms != vector.since_change_ms) continue;
    const auto &payload = vector.payload;
    Glass glass(payload.cols, payload.rows);
    Firmware firmware(payload.cols, payload.rows, never_stale(), "Server", 0);
    check(firmware.accept(0, payload) == nullptr, vector.name + " accepted");
    std::vector<std::string> rows;
    const bool printed = shows(glass, firmware, vector.since_fetch_ms, rows);
    check(printed && rows == vector.rows, vector.name + " t=" + std::to_string(vector.since_fetch_ms) +
                                              ": the glass shows the golden rows");
    Checked checked;
    check_payload(payload, payload.cols, payload.rows, checked);
    for (int row = 0; row < payload.rows; row++) {
      for (unsigned char code : glass.row(row)) {
        const int slot = cgram_slot(code);
        if (slot < 0) continue;
        slot_seen[slot] = true;
        check(glass.cgram_glyph(code) == checked.glyphs.at(slot),
              vector.name + ": a cell with code " + std::to_string(code) + " shows glyph " + std::to_string(slot));
      }
    }
    drawn++;
  }
  check(drawn >= 50, "at least 50 golden vectors on the glass");
  for (int slot = 0; slot < CGRAM_SLOTS; slot++)
    check(slot_seen[slot], "glyph " + std::to_string(slot) + " reaches the glass in some golden vector");
}

void hostile_strings_stay_in_their_row() {
  // Each of these broke a row before: a glyph sent as 0x0A (the 3/5 bar cell), NUL, new lines
  // and their overlong forms, a code for an empty CGRAM slot.
  Payload payload;
  payload.version = 2;
  payload.state = "playing";
  payload.cols = 20;
  payload.rows = 4;
  payload.title = std::string("A\nB\0C\xc0\x8a" "D\xc0\x80" "E\x07", 13);
  payload.artist = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n";
  payload.album = "\xc3" "AB\xe3\x81" "C";
  payload.progress = 0;
  payload.duration = 40000;
  payload.bar = "\x08\x01\x02\x03\n";  // a new line where the full cell goes
  payload.icon = "\x04";
  payload.glyphs = {"0010101010101000", "0018181818181800", "001c1c1c1c1c1c00", "001e1e1e1e1e1e00", "0010181c1e1c1810"};
  for (uint64_t now : {uint64_t{0}, uint64_t{3000}, uint64_t{30000}}) {
    Glass glass(20, 4);
    Firmware firmware(20, 4, never_stale(), "Server", 0);
    check(firmware.accept(0, payload) == nullptr, "hostile strings accepted");
    std::vector<std::string> rows;
    const int warnings = esphome::logged_warnings();
    check(shows(glass, firmware, now, rows),
          "hostile strings: every row on the glass as framed, t=" + std::to_string(now));
    check(esphome::logged_warnings() == warnings, "hostile strings: print() never wrote out of range");
    check(glass.row(0) == "A B C  D  E         ", "title: control bytes are spaces, the empty slot 7 too");
    check(glass.row(1) == std::string(20, ' '), "artist of new lines: one blank row, not four");
    check(glass.row(2) == " AB C               ", "album: truncated sequences lose nothing after them");
  }
  Glass glass(20, 4);
  Firmware firmware(20, 4, never_stale(), "Server", 0);
  firmware.accept(0, payload);
  std::vector<std::string> rows;
  shows(glass, firmware, 3000, rows);
  check(glass.row(3).substr(0, 3) == "\x04 \x02", "t=3 s: the 3/5 cell (glyph 2) is drawn, and what follows");
  check(glass.row(3).substr(11) == "0:03/0:40", "...the time after it is still there");

  // Guard: this model does act on what ESPHome acts on, so the checks above can fail.
  Glass naive(16, 2);
  naive.writer = [](Glass &it) { it.print(0, 0, "ab\ncd"); };
  naive.update();
  check(naive.row(0) == "ab              " && naive.row(1) == "cd              ",
        "ESPHome's print() starts a new row at 0x0A (the old glyph 2)");
}

}  // namespace

void test_glass(const std::vector<Vector> &vectors) {
  golden_vectors_on_the_glass(vectors);
  hostile_strings_stay_in_their_row();
}

}  // namespace host_test
