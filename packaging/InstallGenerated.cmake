# Run by `cmake --install` and CPack (see packaging/Packaging.cmake): writes the man pages with
# help2man from the built binaries' --help, gzips them and the Debian changelog (gzip -9n: no
# time stamp, so the package is reproducible) and installs them. Inputs: MAML_MAN_PROGRAMS,
# MAML_BIN_DIR, MAML_VERSION, MAML_PACKAGING_DIR, MAML_OUT_DIR, MAML_MAN_DIR, MAML_DOC_DIR.
find_program(MAML_HELP2MAN help2man)
find_program(MAML_GZIP gzip)
if(NOT MAML_HELP2MAN OR NOT MAML_GZIP)
  message(FATAL_ERROR "help2man or gzip is missing: the man pages cannot be made. "
                      "Run packaging/install-deps.sh (it installs help2man).")
endif()
file(REMOVE_RECURSE "${MAML_OUT_DIR}")
file(MAKE_DIRECTORY "${MAML_OUT_DIR}")

foreach(program ${MAML_MAN_PROGRAMS})
  # Found through PATH, so that the usage lines say "maml-cli", not the build folder's path;
  # offscreen, so that maml-workbench --help needs no display.
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env "PATH=${MAML_BIN_DIR}:$ENV{PATH}" QT_QPA_PLATFORM=offscreen
            "${MAML_HELP2MAN}" --no-info --section=1 --version-string=${MAML_VERSION}
            --include=${MAML_PACKAGING_DIR}/man/${program}.h2m --output=${MAML_OUT_DIR}/${program}.1
            ${program}
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "help2man failed on ${program} (${result})")
  endif()
  execute_process(COMMAND "${MAML_GZIP}" -9nf "${MAML_OUT_DIR}/${program}.1" RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "gzip failed on ${program}.1")
  endif()
  file(INSTALL "${MAML_OUT_DIR}/${program}.1.gz" DESTINATION "${MAML_MAN_DIR}")
endforeach()

configure_file("${MAML_PACKAGING_DIR}/debian/changelog" "${MAML_OUT_DIR}/changelog" COPYONLY)
execute_process(COMMAND "${MAML_GZIP}" -9nf "${MAML_OUT_DIR}/changelog" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "gzip failed on the changelog")
endif()
file(INSTALL "${MAML_OUT_DIR}/changelog.gz" DESTINATION "${MAML_DOC_DIR}")
