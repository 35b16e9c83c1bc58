// studio_load: many concurrent clients against a running aevb-studio.
//   studio_load --port P --clients 200 --seconds 20     half decode, half graph clients
//   studio_load --port P --page --seconds 30            one page's requests (its event
//                                                       stream, pictures, latent plane)
// Each client sends its next request when the last one is answered (keep-alive). Prints
// requests, errors and latency percentiles per endpoint, and the server time the decode
// endpoint reports; exits 1 if any request failed. bench/studio_load.sh runs the README's
// measurement around it.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Latencies {
  std::mutex mutex;
  std::vector<double> milliseconds, server_milliseconds;
  std::atomic<int64_t> errors{0};
  std::string first_error;
  void add(double ms) {
    std::lock_guard lock(mutex);
    milliseconds.push_back(ms);
  }
  void fail(const std::string& why) {
    ++errors;
    std::lock_guard lock(mutex);
    if (first_error.empty()) first_error = why;
  }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())))];
}

void report(const char* name, Latencies& l, double seconds) {
  std::printf("%-8s %8zu requests (%7.1f/s), %lld errors; latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", name,
              l.milliseconds.size(), static_cast<double>(l.milliseconds.size()) / seconds,
              static_cast<long long>(l.errors.load()), percentile(l.milliseconds, 50), percentile(l.milliseconds, 90),
              percentile(l.milliseconds, 99), percentile(l.milliseconds, 100));
  if (!l.server_milliseconds.empty())
    std::printf("%-8s server time ms: p50 %.3f  p99 %.3f  max %.3f\n", name, percentile(l.server_milliseconds, 50),
                percentile(l.server_milliseconds, 99), percentile(l.server_milliseconds, 100));
  if (l.errors > 0) std::printf("%-8s first error: %s\n", name, l.first_error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int port = 8080, clients = 200, batches = 8;
  double seconds = 20;
  bool page = false;
  CLI::App app{"Concurrent clients against a running aevb-studio"};
  app.add_option("--port", port, "the studio's port")->check(CLI::Range(1, 65535));
  app.add_option("--clients", clients, "concurrent clients, half on /api/decode, half on /api/graph")
      ->check(CLI::Range(1, 2000));
  app.add_option("--seconds", seconds, "how long")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--batches", batches, "graph clients pick among this many batches")->check(CLI::Range(1, 256));
  app.add_flag("--page", page, "one page's requests instead of the load");
  CLI11_PARSE(app, argc, argv);

  const Clock::time_point end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  Latencies decode, graph, pictures, latent;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(clients) + 2);
  auto timed_get = [](httplib::Client& client, const std::string& path, Latencies& into, std::string* body) {
    const Clock::time_point start = Clock::now();
    auto result = client.Get(path);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!result)
      into.fail(path + ": " + httplib::to_string(result.error()));
    else if (result->status != 200)
      into.fail(path + ": status " + std::to_string(result->status) + " " + result->body.substr(0, 200));
    else {
      into.add(ms);
      if (body) *body = result->body;
    }
  };
  if (page) {
    // The page: its event stream, pictures every 0.8 s, the latent plane every 1.6 s.
    std::atomic<bool> done{false};
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(static_cast<time_t>(seconds) + 5, 0);
      client.Get("/api/events", [&](const char*, size_t) { return !done.load() && Clock::now() < end; });
    });
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      int tick = 0;
      while (Clock::now() < end) {
        timed_get(client, "/api/pictures", pictures, nullptr);
        if (tick++ % 2 == 0) timed_get(client, "/api/latent", latent, nullptr);
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
      }
      done = true;
    });
  } else {
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&, c] {
        httplib::Client client("127.0.0.1", port);
        client.set_read_timeout(60, 0);
        client.set_keep_alive(true);
        client.set_tcp_nodelay(true);
        std::mt19937 random(static_cast<unsigned>(c));
        std::uniform_real_distribution<double> coordinate(-3, 3);
        std::uniform_int_distribution<int> batch(0, batches - 1);
        while (Clock::now() < end) {
          if (c % 2 == 0) {
            std::string body;
            char path[96];
            std::snprintf(path, sizeof path, "/api/decode?x=%.4f&y=%.4f", coordinate(random), coordinate(random));
            timed_get(client, path, decode, &body);
            const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
            if (parsed.is_object() && parsed.contains("server_ms")) {
              std::lock_guard lock(decode.mutex);
              decode.server_milliseconds.push_back(parsed["server_ms"].get<double>());
            }
          } else {
            timed_get(client, "/api/graph?batch=" + std::to_string(batch(random)) + "&size=16", graph, nullptr);
          }
        }
      });
  }
  for (std::thread& t : threads) t.join();
  if (page) {
    report("pictures", pictures, seconds);
    report("latent", latent, seconds);
    return pictures.errors + latent.errors > 0;
  }
  report("decode", decode, seconds);
  report("graph", graph, seconds);
  return decode.errors + graph.errors > 0;
}
