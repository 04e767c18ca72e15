// hog MB: allocates MB MiB and writes to every page, so all of it is resident (and charged to the
// instance's memory cgroup) before it exits 0. Under a smaller memory limit it is OOM-killed, which is what
// the limits suite looks for.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>

#include "workload_args.hpp"

int main(int argc, char** argv) {
  long long mebibytes = benchrun::workload::parse_single_count(argc, argv, 0, 1LL << 20, "hog MB");
  size_t bytes = static_cast<size_t>(mebibytes) << 20;
  long page_size = sysconf(_SC_PAGESIZE);
  size_t pages = 0;
  if (bytes > 0) {
    // mmap rather than malloc: the size is exactly what is asked, and nothing is touched on our behalf.
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
      std::perror("hog: mmap");
      return 1;
    }
    // volatile: the writes are the point, the compiler must not drop them.
    volatile char* bytes_view = static_cast<volatile char*>(memory);
    for (size_t offset = 0; offset < bytes; offset += static_cast<size_t>(page_size)) {
      bytes_view[offset] = 1;
      ++pages;
    }
  }
  std::printf("hog: touched %lld MiB (%zu pages)\n", mebibytes, pages);
  return 0;
}
