/* http_page.c - the web page's files (node/web/), embedded in the binary. */
#include "http_int.h"

#include <string.h>

/*
 * The page is three plain files under node/web/ (no CDN). The build embeds
 * their bytes into build/gen/embed.c (Makefile, scripts/embed.sh), so the
 * binary always serves the files of its own source tree.
 */
extern const unsigned char http_web_index[], http_web_css[], http_web_js[];
extern const size_t http_web_index_len, http_web_css_len, http_web_js_len;

int
http__page(const char *path, struct http__resp *rs)
{
    const unsigned char *data;
    size_t len;

    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        data = http_web_index;
        len = http_web_index_len;
        rs->rs_type = "text/html; charset=utf-8";
    } else if (strcmp(path, "/app.css") == 0) {
        data = http_web_css;
        len = http_web_css_len;
        rs->rs_type = "text/css; charset=utf-8";
    } else if (strcmp(path, "/app.js") == 0) {
        data = http_web_js;
        len = http_web_js_len;
        rs->rs_type = "text/javascript; charset=utf-8";
    } else {
        return 0;
    }
    rs->rs_status = 200;
    textbuf_put(&rs->rs_body, data, len);
    return 1;
}
