# cmake -DPREFIX=… -DCONSUMER_SOURCE=… -DWORK_DIR=… -DBOOST_DIR=… -DBOOST_VERSION=… \
#       -P other_boost.cmake
# Configures the find_package consumer against an installed smtperr where the only Boost
# to be found says it is another version (the real one's config behind a version file of
# 1.99.0; the real one's directory ignored), and expects the configuration to fail on that
# version: a program built with other Boost headers than the library's would not fit its
# compiled Asio and Boost.JSON code.
file(REMOVE_RECURSE "${WORK_DIR}")
set(_fake "${WORK_DIR}/boost-1.99.0")
file(MAKE_DIRECTORY "${_fake}")
# The real config finds its parts by the version it was found as: give it its own back.
file(WRITE "${_fake}/BoostConfig.cmake" "set(Boost_VERSION ${BOOST_VERSION})\n"
                                        "include(\"${BOOST_DIR}/BoostConfig.cmake\")\n")
file(WRITE "${_fake}/BoostConfigVersion.cmake"
     "set(PACKAGE_VERSION 1.99.0)\n"
     "set(PACKAGE_VERSION_COMPATIBLE TRUE)\n"
     "if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)\n"
     "  set(PACKAGE_VERSION_EXACT TRUE)\n"
     "endif()\n")
# Debian's /lib is /usr/lib: the real directory is found under both names.
set(_ignore "${BOOST_DIR}")
if(BOOST_DIR MATCHES "^/usr(/lib.*)$")
  list(APPEND _ignore "${CMAKE_MATCH_1}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE}" -B "${WORK_DIR}/build"
          "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DBoost_DIR=${_fake}"
          "-DCMAKE_IGNORE_PATH=${_ignore}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the consumer configured with Boost 1.99.0:\n${out}${err}")
endif()
string(REPLACE "." "\\." _wanted "${BOOST_VERSION}")
if(NOT err MATCHES "\"Boost\"" OR NOT err MATCHES "1\\.99\\.0" OR NOT err MATCHES "${_wanted}")
  message(FATAL_ERROR "the consumer failed for another reason than Boost's version:\n${err}")
endif()
message(STATUS "refused as expected:\n${err}")
