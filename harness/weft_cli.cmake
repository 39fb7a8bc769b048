# The `weft` executable: needs the core, every built backend (registry) and the protocols.
add_library(weft_check STATIC
  src/check/check_results.cpp
  src/check/check_runner.cpp
  src/check/probe.cpp
  src/check/scenario_table.cpp
  src/check/scenario_util.cpp
  src/check/scenarios_basic.cpp
  src/check/scenarios_limits.cpp
  src/check/scenarios_load.cpp
)
target_include_directories(weft_check PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(weft_check PUBLIC weft_harness_common weft::backends PRIVATE weft_warnings)
if(WIN32)
  # Winsock's FD_SETSIZE is a count, raised for the select backend (backends/CMakeLists.txt):
  # the 1100-connection scenario judges select by that count there.
  target_compile_definitions(weft_check PRIVATE WEFT_SELECT_FD_SETSIZE=${WEFT_WIN_FD_SETSIZE})
endif()

add_executable(weft
  src/main.cpp
  src/cli/command_line.cpp
  src/cli/connect_command.cpp
  src/cli/fault_server.cpp
  src/cli/help_reactors.cpp
  src/cli/reactor_choice.cpp
  src/cli/serve_command.cpp
  src/cli/serve_stats.cpp
)
target_include_directories(weft PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(weft PRIVATE weft_check weft::protocols weft::backends weft::tls weft_warnings)

if(WIN32)
  # `weft bench` needs weft-loadgen (epoll) and the reference servers: POSIX-only.
  target_sources(weft PRIVATE src/bench/bench_unavailable.cpp)
  return()
endif()

add_library(weft_bench_lib STATIC
  src/bench/bench_compare.cpp
  src/bench/bench_runner.cpp
  src/bench/bench_servers.cpp
  src/bench/loadgen_record.cpp
  src/bench/report_html.cpp
  src/bench/report_json.cpp
  src/bench/report_markdown.cpp
  src/bench/svg_chart.cpp
  src/bench/svg_line_chart.cpp
  src/bench/report_summary.cpp
  src/bench/report_charts.cpp
)
target_include_directories(weft_bench_lib PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(weft_bench_lib PUBLIC weft_harness_common weft::backends PRIVATE weft_warnings)
target_link_libraries(weft PRIVATE weft_bench_lib)

string(TOUPPER "${CMAKE_BUILD_TYPE}" WEFT_BUILD_TYPE_UPPER)
# `weft bench` finds the load generator and the reference servers next to these paths.
add_dependencies(weft weft-loadgen)
target_compile_definitions(weft_bench_lib PRIVATE
  WEFT_LOADGEN_PATH="$<TARGET_FILE:weft-loadgen>"
  WEFT_REFERENCE_DIR="${CMAKE_BINARY_DIR}/bench/reference"
  WEFT_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  WEFT_COMPILER_ID="${CMAKE_CXX_COMPILER_ID}"
  WEFT_BUILD_TYPE="${CMAKE_BUILD_TYPE}"
  WEFT_BUILD_FLAGS="${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${WEFT_BUILD_TYPE_UPPER}}")
