/*
** demo.c: `knit demo` (placeholder until the generator lands).
*/
#include <stdio.h>

#include "../cli.h"

int cmd_demo(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "knit: demo not built yet\n");
    return 1;
}
