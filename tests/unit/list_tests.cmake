# list_tests.cmake: writes the test list of one cmocka test file (ladder_unit_test in
# CMakeLists.txt runs it at build time, again whenever the file changes).
#   cmake -DIN=test_x.c -DOUT=test_x_tests.h -DGROUP=x -P list_tests.cmake
# Every `static void test_NAME(void **state)` in IN becomes one cmocka_unit_test in OUT, in the
# order of the file, inside unit_group_GROUP(), which the generated main of the component runs.
# The test file includes OUT as its last line. Per file, before that include, it may define
#   UNIT_SETUP / UNIT_TEARDOWN              run around every test (state: what setup gave)
#   UNIT_GROUP_SETUP / UNIT_GROUP_TEARDOWN  run once around the file's tests
#   UNIT_MORE_TESTS                         a function `int f(void)` run after them, for tests
#                                           made from data at run time; returns its failures
file(READ "${IN}" text)
string(REGEX MATCHALL "(^|\n)[ \t]*static[ \t]+void[ \t]+test_[A-Za-z0-9_]+[ \t]*\\([ \t]*void[ \t]*\\*[ \t]*\\*[ \t]*[A-Za-z_]+[ \t]*\\)"
       found "${text}")
set(entries "")
set(count 0)
foreach(f IN LISTS found)
  string(REGEX REPLACE ".*(test_[A-Za-z0-9_]+).*" "\\1" name "${f}")
  string(APPEND entries
    "        cmocka_unit_test_setup_teardown(${name}, UNIT_SETUP, UNIT_TEARDOWN),\n")
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "${IN}: no `static void test_NAME(void **state)` function")
endif()
get_filename_component(src "${IN}" NAME)
set(out "/* Generated from ${src} by tests/unit/list_tests.cmake: do not edit. ${count} tests. */
#ifndef UNIT_SETUP
#define UNIT_SETUP NULL
#endif
#ifndef UNIT_TEARDOWN
#define UNIT_TEARDOWN NULL
#endif
#ifndef UNIT_GROUP_SETUP
#define UNIT_GROUP_SETUP NULL
#endif
#ifndef UNIT_GROUP_TEARDOWN
#define UNIT_GROUP_TEARDOWN NULL
#endif

int unit_group_${GROUP}(void);
int unit_group_${GROUP}(void)
{
    static const struct CMUnitTest tests[] = {
${entries}    };
    int failed = cmocka_run_group_tests_name(\"${GROUP}\", tests, UNIT_GROUP_SETUP,
                                             UNIT_GROUP_TEARDOWN);
#ifdef UNIT_MORE_TESTS
    failed += UNIT_MORE_TESTS();
#endif
    return failed;
}
")
file(WRITE "${OUT}" "${out}")
