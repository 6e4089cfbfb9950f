# install.cmake: what `cmake --install` puts where, and the .deb CPack makes of it
# (docs/install.md). Included at the end of the root CMakeLists.txt.
#
#   bin/ladder
#   share/ladder/profiles/    pbs16.xml, ladder-profile.xsd
#   share/ladder/devices/     devices.xml, devices.xsd
#   share/ladder/player-demo/ the player page, with its hls.js (scripts/player-deps.sh)
#   share/doc/ladder/         copyright, changelog.Debian.gz
#   share/man/man1/ladder.1.gz
#   share/lintian/overrides/ladder   the lintian tags explained (packaging/debian/)
#   lib/systemd/system/       ladder-serve.service, ladder-worker.service
#   etc/default/ladder        the services' settings (a conffile in the .deb)
#   etc/logrotate.d/ladder    rotates the access log, then reloads ladder-serve
#
# With the prefix /usr (the .deb) the last three go to /lib/systemd/system and /etc, as
# Debian 12 has them; the units name the prefix's bin/ladder and etc/default/ladder.
include(GNUInstallDirs)

set(LADDER_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/ladder)
# `ladder serve` looks for the player page beside its own bin/ first, so that a prefix moved
# elsewhere (cmake --install --prefix DIR, dpkg-deb -x) finds its own, then in this one.
file(RELATIVE_PATH LADDER_DATADIR_FROM_BIN ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_DATADIR}/ladder)
target_compile_definitions(ladder PRIVATE
  LADDER_DATADIR="${CMAKE_INSTALL_FULL_DATADIR}/ladder"
  LADDER_DATADIR_FROM_BIN="${LADDER_DATADIR_FROM_BIN}")

install(TARGETS ladder RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The ladder profiles and the device rules (both are built into the program too; these are
# the files to copy and edit for --profile and --devices). One place to change if they move.
set(LADDER_PROFILE_FILES profiles/pbs16.xml profiles/ladder-profile.xsd)
set(LADDER_DEVICES_FILES devices/devices.xml devices/devices.xsd)
install(FILES ${LADDER_PROFILE_FILES} DESTINATION ${LADDER_INSTALL_DATADIR}/profiles)
install(FILES ${LADDER_DEVICES_FILES} DESTINATION ${LADDER_INSTALL_DATADIR}/devices)

# The player page: what index.html loads, and hls.js and dash.js, which scripts/player-deps.sh
# copies from npm into player-demo/vendor/ (not committed). Without them the page cannot play.
install(CODE "
  foreach(f hls.min.js dash.all.min.js)
    if(NOT EXISTS \"${PROJECT_SOURCE_DIR}/player-demo/vendor/\${f}\")
      message(FATAL_ERROR \"player-demo/vendor/\${f} is missing: run scripts/player-deps.sh first\")
    endif()
  endforeach()")
install(DIRECTORY player-demo/ DESTINATION ${LADDER_INSTALL_DATADIR}/player-demo
        FILES_MATCHING PATTERN "*.html" PATTERN "*.js" PATTERN "*.css"
        PATTERN node_modules EXCLUDE)

# Debian's copyright file and changelog (gzip -9n: no name, no time, as lintian wants).
set(LADDER_DEB_VERSION ${PROJECT_VERSION}-1)
configure_file(packaging/debian/changelog.in ${CMAKE_BINARY_DIR}/packaging/changelog.Debian @ONLY)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz
  COMMAND gzip -9nf -k ${CMAKE_BINARY_DIR}/packaging/changelog.Debian
  DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.Debian)
add_custom_target(ladder_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz)
install(FILES packaging/debian/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES packaging/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME ladder)
# The manual page, gzipped the same way.
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/packaging/ladder.1.gz
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/ladder.1 > ${CMAKE_BINARY_DIR}/packaging/ladder.1.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/ladder.1)
add_custom_target(ladder_manpage ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/ladder.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/packaging/ladder.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The systemd units and their settings, whose folders and paths depend on the prefix given at
# install time (cmake --install --prefix, or /usr under CPack), so they are written then.
install(CODE "
  set(src \"${PROJECT_SOURCE_DIR}\")
  set(tmp \"${CMAKE_BINARY_DIR}/packaging/\${CMAKE_INSTALL_PREFIX}\")
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(etc /etc)
    set(units /lib/systemd/system)
  else()
    set(etc \"\${CMAKE_INSTALL_PREFIX}/etc\")
    set(units \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
  endif()
  set(bin \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  foreach(f ladder-serve.service ladder-worker.service)
    file(READ \"\${src}/packaging/systemd/\${f}\" text)
    string(REPLACE /usr/bin/ladder \"\${bin}/ladder\" text \"\${text}\")
    string(REPLACE /etc/default/ladder \"\${etc}/default/ladder\" text \"\${text}\")
    file(WRITE \"\${tmp}/\${f}\" \"\${text}\")
    file(INSTALL \"\${tmp}/\${f}\" DESTINATION \"\${units}\")
  endforeach()
  file(INSTALL \"\${src}/packaging/systemd/ladder.default\" DESTINATION \"\${etc}/default\"
       RENAME ladder)
  file(INSTALL \"\${src}/packaging/logrotate/ladder\" DESTINATION \"\${etc}/logrotate.d\")")

# The .deb: `cpack -G DEB` in the build folder (docs/install.md). Its Depends come from
# dpkg-shlibdeps on the binary: the Debian 12 packages of the libraries it links.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ladder)
set(CPACK_PACKAGE_VENDOR "Ladder")
set(CPACK_PACKAGE_CONTACT "Ladder maintainers <maintainers@users.noreply.r-seed-53158a8d.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "video transcoder, HLS packager and HTTP origin")
set(CPACK_PACKAGE_DESCRIPTION "Ladder turns a mezzanine file into an adaptive streaming ladder:
H.264 renditions with aligned IDRs, packaged as HLS and faststart MP4,
checked against Apple's authoring rules and served by an HTTP origin with a
player page. Ingest can be spread over many machines through Redis.
.
This package has the ladder program, its profiles and device rules, the
player page, and systemd units for the origin (ladder-serve) and the
distributed-ingest worker (ladder-worker).")
# The units and /etc files go to absolute paths, so CPack installs with DESTDIR, into /usr
# whatever CMAKE_INSTALL_PREFIX is (ladder serve finds its page beside its bin/).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
