/* http_page.c - the web page's files (node/web/), embedded in the binary. */
#include "http_int.h"

#include <string.h>

/*
 * The page is plain files under node/web/ (no CDN): index.html, app.css,
 * app.js and the label files i18n/<lang>.json. The build embeds their
 * bytes into build/gen/embed.c (Makefile EMBED, scripts/embed.sh), so the
 * binary always serves the files of its own source tree. A translation is
 * one more i18n file: a line in EMBED and a row below.
 */
extern const unsigned char http_web_index[], http_web_css[], http_web_js[],
    http_web_i18n_en[], http_web_i18n_de[];
extern const size_t http_web_index_len, http_web_css_len, http_web_js_len,
    http_web_i18n_en_len, http_web_i18n_de_len;

static const struct {
    const char *path;
    const char *type;
    const unsigned char *data;
    const size_t *len;
} page_files[] = {
    {"/", "text/html; charset=utf-8", http_web_index, &http_web_index_len},
    {"/index.html", "text/html; charset=utf-8", http_web_index,
     &http_web_index_len},
    {"/app.css", "text/css; charset=utf-8", http_web_css, &http_web_css_len},
    {"/app.js", "text/javascript; charset=utf-8", http_web_js,
     &http_web_js_len},
    {"/i18n/en.json", "application/json", http_web_i18n_en,
     &http_web_i18n_en_len},
    {"/i18n/de.json", "application/json", http_web_i18n_de,
     &http_web_i18n_de_len},
};

int
http__page(const char *path, struct http__resp *rs)
{
    for (size_t i = 0; i < sizeof(page_files) / sizeof(page_files[0]); i++)
        if (strcmp(path, page_files[i].path) == 0) {
            rs->rs_status = 200;
            rs->rs_type = page_files[i].type;
            textbuf_put(&rs->rs_body, page_files[i].data, *page_files[i].len);
            return 1;
        }
    return 0;
}
