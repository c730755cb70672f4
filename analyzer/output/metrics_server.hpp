#pragma once
// `slowburn watch --metrics-listen ADDR:PORT`: GET /metrics serves the latest metrics text
// to Prometheus, over cpp-httplib (Debian's libcpp-httplib) on a thread of its own.

#include <cstdint>
#include <memory>
#include <string>

namespace slowburn::analyze {

struct ListenAddress {
  std::string host;   // as given, without the brackets of an IPv6 literal
  uint16_t port = 0;  // 0: any free port
};

// "127.0.0.1:9464", "[::1]:9464", "localhost:0", ":9464" (every interface). Throws
// std::invalid_argument naming what is wrong.
ListenAddress parseListenAddress(const std::string& text);

class MetricsServer {
 public:
  // Binds and starts serving (an empty body until the first publish); throws
  // std::runtime_error when it cannot listen there.
  explicit MetricsServer(const ListenAddress& address);
  ~MetricsServer();  // stops serving and joins the thread
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // What a scraper is told: "http://127.0.0.1:9464/metrics", the port as bound.
  std::string url() const;
  // Replaces what /metrics serves.
  void publish(std::string text);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace slowburn::analyze
