// The studio's HTTP server (cpp-httplib): the page, its scripts, and a JSON API over
// the run's snapshot. Safe to leave running: loopback unless told otherwise, requests
// for another Host refused (DNS rebinding), the controls behind a random token, every
// parameter validated (400 and a JSON error naming the field and what it accepts), and
// no request names a file: the page's files are read once, at start.
#pragma once

#include <httplib.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>

#include "examples/studio/run_state.h"
#include "examples/studio/views.h"

namespace aevb::studio {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;            // 0: any free port
  std::string token;          // what pause, resume and stop must carry (X-Studio-Token)
  std::string web_folder;     // index.html, studio.js, studio.css
  std::string vendor_folder;  // node_modules (uPlot), installed by npm ci
  int threads = 256;          // the server's thread pool: a kept-alive client holds one
};

// The files the page needs, read into memory; throws InputError naming what is missing.
struct Asset {
  std::string content, type;
};
std::map<std::string, Asset> load_assets(const ServerOptions& options);

class StudioServer {
 public:
  // `train` and `test`: the images the views use (the tape view's batches, the latent
  // plane's points).
  StudioServer(RunState& state, ImageRows train, ImageRows test, ServerOptions options);
  ~StudioServer();

  // Binds the socket (before anything is written anywhere); returns false with `error`.
  bool bind(std::string& error);
  int port() const { return port_; }
  std::string address() const;  // "http://127.0.0.1:8080/"
  void serve();                 // blocks until stop()
  void stop();

 private:
  void routes();
  // The cached views of the current snapshot.
  std::shared_ptr<const LatentView> latent(const Snapshot& snapshot);
  // The plane the page was last given (the latent view's): a point (x, y) means the
  // same code between two snapshots, and decoding it needs no new projection.
  LatentPlane plane(const Snapshot& snapshot);
  std::shared_ptr<const std::string> pictures_of(const Snapshot& snapshot);
  std::shared_ptr<const std::string> graph(const Snapshot& snapshot, int64_t batch, int64_t size);
  nlohmann::json record_step_view(const Snapshot& snapshot, int64_t batch, int64_t size);

  RunState& state_;
  ImageRows train_, test_;
  ServerOptions options_;
  std::map<std::string, Asset> assets_;
  httplib::Server server_;
  int port_ = 0;
  socket_t listening_socket_ = -1;
  // Views compute in at most as many requests at once as there are cores: under a flood
  // of cheap requests a long one (recording a step) still gets its share of the CPU.
  std::counting_semaphore<4096> compute_slots_;
  template <class F>
  auto computing(F work) {
    compute_slots_.acquire();
    struct Release {
      std::counting_semaphore<4096>& slots;
      ~Release() { slots.release(); }
    } release{compute_slots_};
    return work();
  }

  std::mutex cache_mutex_;
  uint64_t latent_version_ = 0, pictures_version_ = 0;
  std::shared_ptr<const LatentView> latent_;
  std::shared_ptr<const std::string> pictures_;
  std::mutex graph_mutex_;  // held while a step is recorded: one at a time
  struct RecordedStep {
    uint64_t version = 0;
    std::chrono::steady_clock::time_point made;
    std::shared_ptr<const std::string> text;
  };
  std::map<std::pair<int64_t, int64_t>, RecordedStep> graphs_;  // by (batch, size)
  std::shared_ptr<const std::string> posterior(const Snapshot& snapshot, int64_t image);
  std::mutex posterior_mutex_;
  std::map<int64_t, RecordedStep> posteriors_;  // by test image
};

}  // namespace aevb::studio
