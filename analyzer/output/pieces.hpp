#pragma once
// Outputs handed over in pieces: text that grows with the dump (every site's row, stack or
// object) goes to a sink about a MiB at a time, so no output is ever held whole in memory.

#include <functional>
#include <string>
#include <string_view>

namespace slowburn::analyze {

using TextSink = std::function<void(std::string_view)>;

class PieceWriter {
 public:
  explicit PieceWriter(const TextSink& sink) : m_sink(sink) {}
  PieceWriter(const PieceWriter&) = delete;
  PieceWriter& operator=(const PieceWriter&) = delete;

  // What is written so far and not handed over.
  std::string& text() { return m_text; }
  // Hands the text over once it is a piece's worth; call between items.
  void maybeHandOver() {
    if (m_text.size() >= kPieceBytes) handOver();
  }
  // Hands over whatever is left; call at the end.
  void handOver() {
    if (!m_text.empty()) m_sink(m_text);
    m_text.clear();
  }

 private:
  static constexpr size_t kPieceBytes = size_t{1} << 20;
  const TextSink& m_sink;
  std::string m_text;
};

// Collects every piece into one string, for the callers (tests, fuzzers) that want it whole.
inline std::string collectPieces(const std::function<void(const TextSink&)>& write) {
  std::string whole;
  write([&whole](std::string_view piece) { whole += piece; });
  return whole;
}

}  // namespace slowburn::analyze
