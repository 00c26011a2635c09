/* The hiresync program. */
#include "commands.h"

int main(int argc, char **argv)
{
    return hs_cli_main(argc, argv);
}
