/*
** normalize.c: script-aware folding of names (see normalize.h).
**
** Steps, on UTF-16 from ICU: NFKC case fold; canonical decomposition; drop
** marks by script (all nonspacing marks on Latin letters; tone marks on
** Thai and Lao; asat and dot-below variants on Myanmar; the Khmer coeng-da
** written for coeng-ta is mapped to coeng-ta); recompose; punctuation
** becomes a space; split into tokens; drop titles; optionally sort.
*/
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/uscript.h>

#include "../core/util.h"
#include "../core/xmalloc.h"

#define FOLD_MAX_IN     4096 /* bytes of input accepted */
#define FOLD_MAX_TOKENS 32

/* Honorifics and titles in the region's languages, folded (lower case,
** no Latin diacritics).  Myanmar and Thai forms in their own script too. */
static const char *const titles[] = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mstr",
    "dr",
    "prof",
    "sir",
    "madam",
    "mdm",
    /* Myanmar, romanised and in script */
    "u",
    "daw",
    "ma",
    "maung",
    "mg",
    "ko",
    "naw",
    "saw",
    "nang",
    "sai",
    "nai",
    "mi",
    "khun",
    "ဦး",
    "ဒေါ်",
    "မ",
    "မောင်",
    "ကို",
    "နော်",
    "စော",
    "နန်း",
    "စိုင်း",
    /* Thai */
    "นาย",
    "นาง",
    "นางสาว",
    "น.ส.",
    "ด.ช.",
    "ด.ญ.",
    "เด็กชาย",
    "เด็กหญิง",
    "คุณ",
    "nang sao",
    "nangsao",
    "dek chai",
    "dek ying",
    /* Lao */
    "ທ້າວ",
    "ທ່ານ",
    "ນາງ",
    "thao",
    "than",
    /* Khmer */
    "លោក",
    "លោកស្រី",
    "កញ្ញា",
    "lok",
    "lok srey",
    "kanha",
    /* Vietnamese (folded: ba, ong, anh, chi, co) */
    "ba",
    "ong",
    "anh",
    "chi",
    "co",
    "em",
    /* Chinese */
    "先生",
    "女士",
    "小姐",
    NULL,
};

int mt_is_title(const char *token) {
    for (const char *const *t = titles; *t; t++)
        if (strcmp(*t, token) == 0) return 1;
    return 0;
}

/* 1 if c is a mark that writers of the same name add or leave out. */
static int variable_mark(UChar32 c, UScriptCode base_script, int keep) {
    if (keep) return 0;
    if (c >= 0x0E48 && c <= 0x0E4B) return 1; /* Thai tone marks */
    if (c >= 0x0EC8 && c <= 0x0ECB) return 1; /* Lao tone marks */
    if (c == 0x103A || c == 0x1037) return 1; /* Myanmar asat, dot below */
    if (base_script == USCRIPT_LATIN && u_charType(c) == U_NON_SPACING_MARK) return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *mt_fold(const char *s, int flags) {
    size_t slen = strlen(s);
    if (slen > FOLD_MAX_IN || !utf8_valid(s, slen)) return NULL;
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *cf = unorm2_getNFKCCasefoldInstance(&err);
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
    if (U_FAILURE(err)) return NULL;
    int32_t cap = (int32_t)slen * 4 + 16, n16 = 0;
    UChar *a = xmalloc((size_t)cap * sizeof(UChar)), *b = xmalloc((size_t)cap * sizeof(UChar));
    char *out = NULL, *tok = NULL;
    if (!a || !b) goto done;
    u_strFromUTF8(a, cap, &n16, s, (int32_t)slen, &err);
    n16 = unorm2_normalize(cf, a, n16, b, cap, &err);
    n16 = unorm2_normalize(nfd, b, n16, a, cap, &err);
    if (U_FAILURE(err)) goto done;
    /* Drop variable marks; punctuation and symbols become spaces. */
    int32_t j = 0;
    UScriptCode base = USCRIPT_COMMON;
    for (int32_t i = 0; i < n16;) {
        UChar32 c;
        U16_NEXT(a, i, n16, c);
        int8_t t = u_charType(c);
        if (t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK) {
            if (variable_mark(c, base, flags & MT_FOLD_KEEP_MARKS)) continue;
            /* NFKC splits Thai sara am and Lao am into nikhahit + aa; join them again. */
            if ((c == 0x0E4D || c == 0x0ECD) && i < n16 && a[i] == c - 0x1B) {
                b[j++] = (UChar)(c - 0x1A);
                i++;
                continue;
            }
            if (c == 0x17D2 && i < n16 && a[i] == 0x178A) { /* Khmer coeng-da -> coeng-ta */
                b[j++] = 0x17D2;
                b[j++] = 0x178F;
                i++;
                continue;
            }
        } else if (u_isalnum(c)) {
            UErrorCode se = U_ZERO_ERROR;
            base = uscript_getScript(c, &se);
        } else {
            c = ' ';
            base = USCRIPT_COMMON;
        }
        U16_APPEND_UNSAFE(b, j, c);
    }
    n16 = unorm2_normalize(nfc, b, j, a, cap, &err);
    if (U_FAILURE(err)) goto done;
    int32_t blen = n16 * 3 + 1;
    tok = xmalloc((size_t)blen);
    if (tok == NULL) goto done;
    u_strToUTF8(tok, blen, NULL, a, n16, &err);
    if (U_FAILURE(err)) goto done;
    /* Tokens, titles dropped, optionally sorted. */
    char *toks[FOLD_MAX_TOKENS];
    int nt = 0;
    for (char *p = tok; *p && nt < FOLD_MAX_TOKENS;) {
        while (*p == ' ') p++;
        if (!*p) break;
        char *start = p;
        while (*p && *p != ' ') p++;
        if (*p) *p++ = 0;
        if (!(flags & MT_FOLD_KEEP_TITLES) && mt_is_title(start)) continue;
        toks[nt++] = start;
    }
    if (flags & MT_FOLD_SORT) qsort(toks, (size_t)nt, sizeof toks[0], cmp_str);
    out = xmalloc((size_t)blen);
    if (out == NULL) goto done;
    size_t o = 0;
    for (int i = 0; i < nt; i++) {
        size_t l = strlen(toks[i]);
        if (o) out[o++] = ' ';
        memcpy(out + o, toks[i], l);
        o += l;
    }
    out[o] = 0;
done:
    xfree(a);
    xfree(b);
    xfree(tok);
    return out;
}
