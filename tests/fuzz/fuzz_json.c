/* Fuzz target: the shared JSON helpers every connector reads remote bodies with (bounded
 * parse, dotted-path getters, numbers as strings, serialisation). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "hs_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"Records", "TotalPages", "access_token", "expires_in",
                                        "Workflow.Stage.Description", "a.b.c.d.e", "", ".",
                                        "results", "next", "count", NULL};
    /* the smallest buffer a host may give: a longer message is cut inside it */
    char msg[HS_ERROR_MESSAGE_MIN] = "";
    hs_error err = {sizeof(hs_error), 0, 0, msg, sizeof msg};
    json_object *o = hs_json_parse((const char *)data, size, "fuzz", &err);
    if (o == NULL) {
        if (memchr(msg, '\0', sizeof msg) == NULL || err.message[0] == '\0')
            abort(); /* a failure must say why */
        return 0;
    }
    for (size_t i = 0; paths[i]; i++) {
        int64_t v;
        const char *s = hs_json_str(o, paths[i]);
        if (s)
            (void)strlen(s);
        (void)hs_json_int(o, paths[i], &v);
        (void)hs_json_get(o, paths[i]);
    }
    if (json_object_is_type(o, json_type_array) && json_object_array_length(o) > 0) {
        const char *s = hs_json_str(json_object_array_get_idx(o, 0), "Id");
        if (s)
            (void)strlen(s);
    }
    free(hs_json_dup_string(o));
    json_object_put(o);
    return 0;
}
