# embed.cmake: turns a text file into a C source defining `const char NAME[]` and `NAME_len`,
# so the built-in profile and its schema travel inside the binary.
# Usage: cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
file(WRITE "${OUT}"
  "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n"
  "const char ${NAME}[] = {${body}0x00};\n"
  "const size_t ${NAME}_len = ${len};\n")
