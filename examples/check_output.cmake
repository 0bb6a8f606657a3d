# Runs PROGRAM and checks its standard output: exit status 0, every non-empty line of
# EXPECTED ('#' starts a comment) a regular expression that matches a whole output line
# (leading and trailing blanks stripped), in that order, and no unfilled message
# placeholder ('{' or '}').
#
#   cmake -DPROGRAM=path -DEXPECTED=file -P check_output.cmake

cmake_minimum_required(VERSION 3.20)

execute_process(COMMAND ${PROGRAM} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${rc}\n${err}\n${out}")
endif()
if(out MATCHES "[{}]")
  message(FATAL_ERROR "unfilled placeholder in the output:\n${out}")
endif()

file(STRINGS ${EXPECTED} expected ENCODING UTF-8)
string(REPLACE ";" "\\;" out "${out}")
string(REPLACE "\n" ";" out_lines "${out}")
set(pos 0)
list(LENGTH out_lines n)
foreach(want IN LISTS expected)
  if(want STREQUAL "" OR want MATCHES "^#")
    continue()
  endif()
  set(found -1)
  while(pos LESS n)
    list(GET out_lines ${pos} line)
    math(EXPR pos "${pos} + 1")
    string(STRIP "${line}" line)
    if(line MATCHES "^${want}$")
      set(found ${pos})
      break()
    endif()
  endwhile()
  if(found EQUAL -1)
    message(FATAL_ERROR "expected line not found (in order): ${want}\n--- output:\n${out}")
  endif()
endforeach()
