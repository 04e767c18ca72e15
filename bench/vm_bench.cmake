# vm_startup_compare: the libvirt path against plain qemu-system-x86_64 with the same arguments,
# interleaved, N runs, medians and ratio (scripts/vm-bench.sh runs it). A benchmark, not a test.
# vm_link_cost_{plain,libvirt}: a trivial main without and with libvirt linked in, for hyperfine -N.
add_executable(vm_startup_compare ${CMAKE_CURRENT_LIST_DIR}/vm_startup_compare.cpp)
target_link_libraries(vm_startup_compare PRIVATE benchrun_vm benchrun_protocol fmt::fmt)
target_compile_definitions(vm_startup_compare PRIVATE BENCHRUN_SOURCE_DIR="${BENCHRUN_SOURCE_DIR}")

add_executable(vm_link_cost_plain ${CMAKE_CURRENT_LIST_DIR}/vm_link_cost_main.cpp)
add_executable(vm_link_cost_libvirt ${CMAKE_CURRENT_LIST_DIR}/vm_link_cost_main.cpp)
target_compile_definitions(vm_link_cost_libvirt PRIVATE BENCHRUN_LINK_LIBVIRT=1)
target_link_libraries(vm_link_cost_libvirt PRIVATE PkgConfig::LIBVIRT)
