#include "output/metrics_server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace slowburn::analyze {
namespace {

// The exposition format's media type (Prometheus text format 0.0.4).
constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
// Scrapes are rare and small: two threads serve them.
constexpr size_t kServerThreads = 2;
constexpr time_t kTimeoutS = 10;
constexpr std::chrono::milliseconds kStartPoll{1};

}  // namespace

ListenAddress parseListenAddress(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("--metrics-listen wants ADDR:PORT, e.g. 127.0.0.1:9464");
  ListenAddress a;
  a.host = text.substr(0, colon);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
    a.host = a.host.substr(1, a.host.size() - 2);
  if (a.host.empty()) a.host = "0.0.0.0";
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    throw std::invalid_argument("--metrics-listen port '" + port + "' is not 0 to 65535");
  a.port = static_cast<uint16_t>(value);
  return a;
}

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> stopped{false};  // listen_after_bind returned
  std::mutex mutex;
  std::string text;
  std::string url;
};

MetricsServer::MetricsServer(const ListenAddress& address) : m_impl(std::make_unique<Impl>()) {
  Impl& s = *m_impl;
  s.server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  s.server.set_read_timeout(kTimeoutS, 0);
  s.server.set_write_timeout(kTimeoutS, 0);
  s.server.Get("/metrics", [&s](const httplib::Request&, httplib::Response& response) {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      body = s.text;
    }
    response.set_content(std::move(body), kContentType);
  });
  int port = address.port;
  if (port == 0) {
    port = s.server.bind_to_any_port(address.host);
  } else if (!s.server.bind_to_port(address.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{} for --metrics-listen", address.host, address.port));
  }
  const bool v6 = address.host.find(':') != std::string::npos;
  s.url = fmt::format("http://{}{}{}:{}/metrics", v6 ? "[" : "", address.host, v6 ? "]" : "", port);
  s.thread = std::thread([&s] {
    s.server.listen_after_bind();
    s.stopped = true;
  });
  // stop() is lost on a server that is not running yet: wait until it runs.
  while (!s.server.is_running() && !s.stopped) std::this_thread::sleep_for(kStartPoll);
}

MetricsServer::~MetricsServer() {
  m_impl->server.stop();
  if (m_impl->thread.joinable()) m_impl->thread.join();
}

std::string MetricsServer::url() const { return m_impl->url; }

void MetricsServer::publish(std::string text) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->text = std::move(text);
}

}  // namespace slowburn::analyze
