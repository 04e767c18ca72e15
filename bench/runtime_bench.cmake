# Included by bench/CMakeLists.txt (BENCHRUN_BUILD_BENCH): micro-benchmarks of runtime/ (root + image).
find_package(benchmark REQUIRED)
add_executable(benchrun_runtime_bench ${CMAKE_CURRENT_LIST_DIR}/runtime_bench.cpp)
target_link_libraries(benchrun_runtime_bench PRIVATE benchrun_runtime benchmark::benchmark)
target_compile_definitions(benchrun_runtime_bench PRIVATE BENCHRUN_SOURCE_DIR="${BENCHRUN_SOURCE_DIR}")
