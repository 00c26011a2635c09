/* `hiresync status`. */
#include <stdio.h>

struct hs_app;
int hs_cmd_status(struct hs_app *app, int argc, char **argv);

int hs_cmd_status(struct hs_app *app, int argc, char **argv)
{
    (void)app;
    (void)argc;
    (void)argv;
    fprintf(stderr, "hiresync: 'status' is not available in this build yet\n");
    return 1;
}
