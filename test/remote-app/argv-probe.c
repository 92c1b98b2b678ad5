/*
 * argv-probe: splits command lines with the real Windows CommandLineToArgvW and prints the result.
 *
 * Usage: argv-probe.exe <input> <output>
 *   <input>  UTF-16LE, no BOM: one or more command lines, each terminated by U+0000.
 *            A dummy program name ("p ") is put in front of each line, so every piece of the
 *            line is read with the rules for ARGUMENTS (the program name has its own rules).
 *   <output> ASCII JSON: an array with one array of strings per input line. Every UTF-16 code
 *            unit outside printable ASCII, and '"' and '\', is written as \uXXXX, so lone
 *            surrogates and control characters come back exactly.
 *
 * Built by test/remote-app/wine.ts with x86_64-w64-mingw32-gcc and run under wine, many lines
 * per run because each wine start is slow. Exit codes: 0 ok, 2 usage, 3 input, 4 output, 5 split.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>

static void write_string(FILE *out, const WCHAR *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned int unit = (unsigned int)*s;
        if (unit >= 0x20 && unit <= 0x7e && unit != '"' && unit != '\\') {
            fputc((int)unit, out);
        } else {
            fprintf(out, "\\u%04x", unit);
        }
    }
    fputc('"', out);
}

int wmain(int argc, WCHAR **argv)
{
    if (argc != 3) {
        fputs("usage: argv-probe.exe <input.utf16le> <output.json>\n", stderr);
        return 2;
    }
    FILE *in = _wfopen(argv[1], L"rb");
    if (!in) return 3;
    if (fseek(in, 0, SEEK_END) != 0) return 3;
    long size = ftell(in);
    if (size < 0 || size % 2 != 0) return 3;
    rewind(in);
    size_t units = (size_t)size / 2;
    WCHAR *buffer = malloc((units + 1) * sizeof(WCHAR));
    if (!buffer) return 3;
    if (fread(buffer, sizeof(WCHAR), units, in) != units) return 3;
    fclose(in);
    buffer[units] = 0;

    FILE *out = _wfopen(argv[2], L"wb");
    if (!out) return 4;
    fputc('[', out);
    size_t start = 0;
    int first_line = 1;
    while (start < units) {
        size_t end = start;
        while (end < units && buffer[end] != 0) end++;
        size_t length = end - start;
        WCHAR *line = malloc((length + 3) * sizeof(WCHAR));
        if (!line) return 5;
        line[0] = L'p';
        line[1] = L' ';
        memcpy(line + 2, buffer + start, length * sizeof(WCHAR));
        line[length + 2] = 0;

        int count = 0;
        LPWSTR *split = CommandLineToArgvW(line, &count);
        if (!split || count < 1) return 5;
        if (!first_line) fputc(',', out);
        first_line = 0;
        fputc('[', out);
        for (int i = 1; i < count; i++) {
            if (i > 1) fputc(',', out);
            write_string(out, split[i]);
        }
        fputc(']', out);
        LocalFree(split);
        free(line);
        start = end + 1;
    }
    fputc(']', out);
    if (fclose(out) != 0) return 4;
    free(buffer);
    return 0;
}
