# libFuzzer support (SMTPERR_BUILD_FUZZ). Needs clang; with another compiler the option is
# switched off with a message, so a configure never fails because of it.
#
# When on, everything in the tree is compiled with -fsanitize=fuzzer-no-link (coverage for
# the fuzzer) and, unless SMTPERR_SANITIZE says otherwise, with address,undefined.
# Call smtperr_setup_fuzzing() before smtperr_apply_sanitizers().

macro(smtperr_setup_fuzzing)
  if(SMTPERR_BUILD_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      message(STATUS "smtperr: SMTPERR_BUILD_FUZZ needs clang (compiler is "
                     "${CMAKE_CXX_COMPILER_ID}); fuzz targets skipped. Configure with "
                     "-DCMAKE_CXX_COMPILER=clang++ to build them.")
      set(SMTPERR_BUILD_FUZZ OFF)
    else()
      if(NOT SMTPERR_SANITIZE)
        set(SMTPERR_SANITIZE address,undefined)
      endif()
      add_compile_options(-fsanitize=fuzzer-no-link)
      add_link_options(-fsanitize=fuzzer-no-link)
    endif()
  endif()
endmacro()

# A libFuzzer executable from its source file(s), linked with the library; target
# smtperr_fuzzers builds them all (one target, so the build runs their sources in parallel:
# targets named one by one on the command line are built one after another).
function(smtperr_add_fuzzer name source)
  if(NOT TARGET smtperr_fuzzers)
    add_custom_target(smtperr_fuzzers)
  endif()
  add_executable(${name} ${source} ${ARGN})
  add_dependencies(smtperr_fuzzers ${name})
  target_compile_features(${name} PRIVATE cxx_std_17)
  target_link_libraries(${name} PRIVATE smtperr::smtperr)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  smtperr_enable_warnings(${name})
endfunction()
