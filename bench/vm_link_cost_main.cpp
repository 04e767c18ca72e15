// A trivial main, built twice: with libvirt linked (and referenced, so --as-needed keeps it) and
// without. `hyperfine -N` on both tells what loading libvirt costs every benchrun start.
#ifdef BENCHRUN_LINK_LIBVIRT
#include <libvirt/libvirt.h>
#endif

int main(int argc, char** /*argv*/) {
#ifdef BENCHRUN_LINK_LIBVIRT
  // Never true in the benchmark (no arguments), but the reference keeps libvirt.so a real dependency.
  if (argc > 5) return virInitialize();
#endif
  return argc > 5 ? 1 : 0;
}
