/*
** demo.c: `knit demo`: build a node filled with synthetic data and serve it.
**
** Creates (or replaces) a demo node, adds one user per working role, then
** generates persons (each with one case) and contacts through the domain
** functions in record.h, so sealing, blind indexes and audit rows are the
** real thing.  Nothing here describes a real person: names are drawn at
** random from the tables below and combined, identifier and phone values are
** random digits in national formats, and summaries are filled-in templates.
**
** Owns: the name, agency and sentence tables; the PRNG (splitmix64), which
** makes the data a function of --seed and the record's index (and of the day
** it is generated on, since dates are relative to today); the option table
** (demo's own options plus those of `knit serve`).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "../auth/auth.h"
#include "../cli.h"
#include "../core/buf.h"
#include "../core/json.h"
#include "../core/util.h"
#include "../core/xmalloc.h"
#include "../domain/record.h"
#include "../http/http.h"
#include "../store/db.h"

#define DEMO_NODE_NAME "Knit demo node" /* marks a database demo may replace */
#define DEMO_PROGRESS  100000           /* records between progress lines */
#define DEMO_BATCH     1000             /* records per commit (db_batch_begin) */
#define DAY            86400            /* seconds */

/* ---- random numbers ---- */

/* splitmix64: one 64-bit state, good enough for synthetic data. */
typedef struct rng {
    uint64_t s; /* state */
} rng;

static uint64_t rng_next(rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The generator for record index i of stream (persons, details, contacts...). */
static rng rng_for(uint64_t seed, uint64_t stream, uint64_t i) {
    rng r = {seed * 0xD1B54A32D192ED03ULL ^ stream * 0x8CB92BA72F3D8DD7ULL ^ i};
    rng_next(&r);
    return r;
}

/* Uniform in [0, n); n > 0. */
static uint32_t rng_below(rng *r, uint32_t n) {
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* 1 with probability percent/100. */
static int rng_chance(rng *r, int percent) {
    return rng_below(r, 100) < (uint32_t)percent;
}

/* Uniform in [lo, hi]. */
static int rng_range(rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Number of entries of a NULL-terminated string array. */
static int enum_count(const char *const *v) {
    int n = 0;
    while (v[n]) n++;
    return n;
}

/* A uniformly chosen entry of a NULL-terminated string array. */
static const char *rng_enum(rng *r, const char *const *v) {
    return v[rng_below(r, (uint32_t)enum_count(v))];
}

#define PICK(r, a) ((a)[rng_below((r), (uint32_t)COUNT(a))])

/* Copy pattern into out, replacing '#' by a random digit and '@' by a random
** capital letter.  out has room for cap bytes (truncates). */
static void fill_pattern(rng *r, const char *pattern, char *out, size_t cap) {
    size_t n = 0;
    for (const char *p = pattern; *p && n + 1 < cap; p++) {
        if (*p == '#')
            out[n++] = (char)('0' + rng_below(r, 10));
        else if (*p == '@')
            out[n++] = (char)('A' + rng_below(r, 26));
        else
            out[n++] = *p;
    }
    out[n] = 0;
}

/* ---- names ---- */

/* One name part in its own script and in Latin letters. */
typedef struct name_part {
    const char *native; /* own script; NULL for Latin-script groups */
    const char *latin;  /* usual romanisation */
    const char *alt;    /* another spelling seen on documents, or NULL */
} name_part;

/* A table of name parts and its length. */
typedef struct name_list {
    const name_part *p; /* entries */
    int n;              /* how many */
} name_list;

#define LIST(a)                                                                                    \
    { a, (int)COUNT(a) }
#define NO_LIST                                                                                    \
    { NULL, 0 }

/* The name tables are packed by hand to 100 bytes a line (tools/style-check counts
** bytes, and these scripts take three a letter). */
/* clang-format off */
static const name_part th_male[] = {
    {"สมชาย", "Somchai", "Somchay"}, {"สมศักดิ์", "Somsak", NULL},
    {"ประเสริฐ", "Prasert", "Prasoet"}, {"สุริยา", "Suriya", NULL},
    {"อนันต์", "Anan", "Anand"}, {"วิชัย", "Wichai", "Vichai"},
    {"ธนพล", "Thanaphon", "Tanapon"}, {"ณัฐพล", "Nattaphon", "Natthaphol"},
    {"กิตติ", "Kitti", NULL}, {"ชัยวัฒน์", "Chaiwat", NULL},
    {"บุญมี", "Bunmi", "Boonmee"}, {"สมพงษ์", "Sompong", NULL},
    {"อภิชาติ", "Aphichat", NULL}, {"วีระ", "Wira", "Weera"},
    {"เอกชัย", "Ekkachai", NULL}, {"สุรชัย", "Surachai", NULL},
    {"ปิยะ", "Piya", NULL},
};
static const name_part th_female[] = {
    {"สมหญิง", "Somying", NULL}, {"มาลี", "Mali", "Malee"},
    {"สุดา", "Suda", NULL}, {"วันเพ็ญ", "Wanphen", "Wanpen"},
    {"นภา", "Napha", "Napa"}, {"กาญจนา", "Kanchana", "Kanjana"},
    {"อรุณี", "Aruni", "Arunee"}, {"พรทิพย์", "Phonthip", "Porntip"},
    {"สุภาพร", "Suphaphon", "Supaporn"}, {"ปราณี", "Prani", "Pranee"},
    {"รัตนา", "Rattana", NULL}, {"ศิริพร", "Siriphon", "Siriporn"},
    {"บุษบา", "Butsaba", "Busaba"}, {"อัญชลี", "Anchali", "Anchalee"},
    {"นิตยา", "Nittaya", NULL}, {"จันทร์เพ็ญ", "Chanphen", "Janpen"},
};
static const name_part th_family[] = {
    {"ใจดี", "Chaidi", "Jaidee"}, {"สุขสวัสดิ์", "Suksawat", NULL},
    {"ศรีสุข", "Sisuk", "Srisuk"}, {"แก้วมณี", "Kaeomani", "Kaewmanee"},
    {"ทองดี", "Thongdi", "Thongdee"}, {"บุญมา", "Bunma", "Boonma"},
    {"มีสุข", "Misuk", "Meesuk"}, {"วงศ์ใหญ่", "Wongyai", NULL},
    {"สายทอง", "Saithong", NULL}, {"พรหมมา", "Phromma", "Promma"},
    {"ศรีวงศ์", "Siwong", "Sriwong"},
    {"จันทร์แก้ว", "Chankaeo", "Jankaew"},
    {"รุ่งเรือง", "Rungrueang", "Rungruang"},
    {"ปัญญาดี", "Panyadi", "Panyadee"},
    {"อินทร์แก้ว", "Inkaeo", "Inkaew"}, {"คำแสง", "Khamsaeng", NULL},
    {"ชัยมงคล", "Chaimongkhon", "Chaimongkol"},
};

static const name_part lo_male[] = {
    {"ສົມພອນ", "Somphone", "Somphon"}, {"ບຸນມີ", "Bounmy", "Bounmi"},
    {"ຄຳພອນ", "Khamphone", NULL}, {"ສີສະຫວາດ", "Sisavath", "Sisavat"},
    {"ບຸນທັນ", "Bounthanh", NULL}, {"ສຸລິຍາ", "Souliya", NULL},
    {"ພອນສະຫວັນ", "Phonesavanh", NULL},
    {"ສົມສັກ", "Somsack", "Somsak"}, {"ຄຳແພງ", "Khamphaeng", NULL},
    {"ແສງເພັດ", "Sengphet", NULL}, {"ອານຸສອນ", "Anousone", NULL},
    {"ສຸກສະຫວັນ", "Souksavanh", NULL}, {"ວິໄລ", "Vilay", "Vilai"},
    {"ທອງສະຫວັນ", "Thongsavanh", NULL},
    {"ບຸນເຫຼືອ", "Bounleua", NULL},
};
static const name_part lo_female[] = {
    {"ມະນີວອນ", "Manivone", NULL}, {"ວັນນິດາ", "Vanida", "Wanida"},
    {"ນ້ອຍ", "Noy", "Noi"}, {"ສຸພາພອນ", "Souphaphone", NULL},
    {"ເກສອນ", "Kesone", NULL}, {"ຈັນທະລາ", "Chanthala", NULL},
    {"ວຽງຄຳ", "Viengkham", NULL}, {"ບົວສອນ", "Bouasone", NULL},
    {"ດາວວອນ", "Daovone", NULL}, {"ມາໄລທອງ", "Malaythong", NULL},
    {"ລັດສະໝີ", "Latsamy", NULL}, {"ສົມຈິດ", "Somchit", "Somjit"},
    {"ແກ້ວ", "Keo", "Kaeo"}, {"ອຳພອນ", "Amphone", NULL},
    {"ປານີ", "Pany", "Pani"},
};
static const name_part lo_family[] = {
    {"ວົງສະຫວັນ", "Vongsavanh", "Vongsavan"},
    {"ພົມມະຈັນ", "Phommachanh", NULL}, {"ສີຫາລາດ", "Sihalath", NULL},
    {"ແກ້ວມະນີ", "Keomany", "Kaeomani"},
    {"ພົມວິຫານ", "Phomvihane", NULL},
    {"ຈັນທະວົງ", "Chanthavong", NULL}, {"ສຸລິວົງ", "Soulivong", NULL},
    {"ອິນທະວົງ", "Inthavong", NULL},
    {"ໄຊຍະວົງ", "Xayavong", "Sayavong"},
    {"ດວງມາລາ", "Douangmala", NULL}, {"ສີສຸວັນ", "Sisouvanh", NULL},
    {"ພັນທະວົງ", "Phanthavong", NULL}, {"ບຸບຜາ", "Bouppha", NULL},
    {"ແສງສຸລິຍາ", "Sengsouliya", NULL},
    {"ລາດຊະວົງ", "Latsavong", NULL},
};

static const name_part km_male[] = {
    {"ដារ៉ា", "Dara", NULL}, {"សុខា", "Sokha", NULL},
    {"វិចិត្រ", "Vichet", "Vicheth"},
    {"សុភ័ក្ត្រ", "Sopheak", NULL}, {"ពិសិដ្ឋ", "Piseth", NULL},
    {"សំណាង", "Samnang", NULL}, {"ចាន់ថា", "Chantha", NULL},
    {"សុផល", "Sophal", NULL}, {"ធារ៉ា", "Theara", NULL},
    {"វុទ្ធី", "Vuthy", "Vuthi"}, {"កុសល", "Kosal", NULL},
    {"សម្បត្តិ", "Sambath", NULL}, {"រិទ្ធី", "Rithy", "Rithi"},
    {"វណ្ណា", "Vanna", NULL}, {"សុវណ្ណ", "Sovann", NULL},
};
static const name_part km_female[] = {
    {"សុភា", "Sophea", NULL}, {"ស្រីមុំ", "Sreymom", NULL},
    {"ចាន់ធូ", "Chanthou", NULL}, {"បុប្ផា", "Bopha", NULL},
    {"សុជាតា", "Socheata", NULL}, {"ស្រីនាង", "Sreyneang", NULL},
    {"ម៉ាលីស", "Malis", NULL}, {"លក្ខិណា", "Leakhena", NULL},
    {"ធីតា", "Thida", NULL}, {"សុគន្ធា", "Sokunthea", NULL},
    {"កញ្ញា", "Kanha", "Kagna"}, {"សុវណ្ណា", "Sovanna", NULL},
    {"ចន្ធី", "Chanthy", NULL}, {"ស្រីពៅ", "Sreypov", NULL},
    {"រស្មី", "Raksmey", "Reaksmey"},
};
static const name_part km_family[] = {
    {"សុខ", "Sok", NULL}, {"ចាន់", "Chan", NULL}, {"គឹម", "Kim", NULL},
    {"ហេង", "Heng", NULL}, {"កែវ", "Keo", NULL}, {"លី", "Ly", "Lee"},
    {"មាស", "Meas", NULL}, {"ពេជ្រ", "Pech", NULL}, {"សំ", "Sam", NULL},
    {"សេង", "Seng", NULL}, {"ទូច", "Touch", NULL}, {"យិម", "Yim", NULL},
    {"ជា", "Chea", NULL}, {"ឈឹម", "Chhim", NULL}, {"ប៊ុន", "Bun", NULL},
    {"អ៊ុក", "Ouk", NULL},
};

/* Burmese names have no family name: a person's name is two or three of these. */
static const name_part my_male[] = {
    {"အောင်", "Aung", NULL}, {"ကျော်", "Kyaw", "Kyau"},
    {"ဇော်", "Zaw", NULL}, {"မင်း", "Min", NULL},
    {"ထွန်း", "Tun", "Htun"}, {"ဝင်း", "Win", NULL},
    {"စိုး", "Soe", NULL}, {"လှ", "Hla", NULL}, {"မြင့်", "Myint", NULL},
    {"နိုင်", "Naing", NULL}, {"သိန်း", "Thein", NULL},
    {"ထက်", "Htet", NULL}, {"ကို", "Ko", NULL}, {"လွင်", "Lwin", NULL},
    {"ဦး", "Oo", "U"}, {"မောင်", "Maung", NULL}, {"သူ", "Thu", NULL},
    {"ဖြိုး", "Phyo", NULL},
};
static const name_part my_female[] = {
    {"ခင်", "Khin", NULL}, {"စန်း", "San", NULL}, {"မြ", "Mya", NULL},
    {"နွယ်", "Nwe", NULL}, {"သီတာ", "Thida", NULL}, {"ဖြူ", "Phyu", NULL},
    {"ဆု", "Su", NULL}, {"အေး", "Aye", NULL}, {"ချို", "Cho", "Kyo"},
    {"ဇင်", "Zin", NULL}, {"သန္တာ", "Thandar", "Thanda"}, {"မေ", "May", "Me"},
    {"နှင်း", "Hnin", NULL}, {"ယု", "Yu", NULL}, {"မိုး", "Moe", NULL},
    {"ဝေ", "Wai", "Wei"}, {"ထွေး", "Htwe", NULL},
};

static const name_part vi_family[] = {
    {"Nguyễn", "Nguyen", NULL}, {"Trần", "Tran", NULL}, {"Lê", "Le", NULL},
    {"Phạm", "Pham", NULL}, {"Hoàng", "Hoang", NULL}, {"Huỳnh", "Huynh", NULL},
    {"Phan", "Phan", NULL}, {"Vũ", "Vu", NULL}, {"Võ", "Vo", NULL}, {"Đặng", "Dang", NULL},
    {"Bùi", "Bui", NULL}, {"Đỗ", "Do", NULL}, {"Hồ", "Ho", NULL}, {"Ngô", "Ngo", NULL},
    {"Dương", "Duong", NULL}, {"Lý", "Ly", NULL},
};
static const name_part vi_middle_m[] = {
    {"Văn", "Van", NULL}, {"Đức", "Duc", NULL}, {"Minh", "Minh", NULL},
    {"Quang", "Quang", NULL}, {"Hữu", "Huu", NULL}, {"Công", "Cong", NULL},
};
static const name_part vi_middle_f[] = {
    {"Thị", "Thi", NULL}, {"Ngọc", "Ngoc", NULL}, {"Thu", "Thu", NULL},
    {"Thanh", "Thanh", NULL}, {"Kim", "Kim", NULL}, {"Mỹ", "My", NULL},
};
static const name_part vi_male[] = {
    {"An", "An", NULL}, {"Bình", "Binh", NULL}, {"Cường", "Cuong", NULL},
    {"Dũng", "Dung", NULL}, {"Hải", "Hai", NULL}, {"Hùng", "Hung", NULL},
    {"Khánh", "Khanh", NULL}, {"Long", "Long", NULL}, {"Nam", "Nam", NULL},
    {"Phong", "Phong", NULL}, {"Quân", "Quan", NULL}, {"Sơn", "Son", NULL},
    {"Thắng", "Thang", NULL}, {"Tuấn", "Tuan", NULL}, {"Việt", "Viet", NULL},
    {"Đạt", "Dat", NULL},
};
static const name_part vi_female[] = {
    {"Anh", "Anh", NULL}, {"Chi", "Chi", NULL}, {"Hà", "Ha", NULL}, {"Hạnh", "Hanh", NULL},
    {"Hương", "Huong", NULL}, {"Lan", "Lan", NULL}, {"Linh", "Linh", NULL}, {"Mai", "Mai", NULL},
    {"Ngân", "Ngan", NULL}, {"Nhung", "Nhung", NULL}, {"Phương", "Phuong", NULL},
    {"Thảo", "Thao", NULL}, {"Trang", "Trang", NULL}, {"Vân", "Van", NULL},
    {"Yến", "Yen", NULL}, {"Hoa", "Hoa", NULL},
};

static const name_part zh_family[] = {
    {"王", "Wang", NULL}, {"李", "Li", "Lee"}, {"张", "Zhang", "Chang"}, {"刘", "Liu", NULL},
    {"陈", "Chen", "Chan"}, {"杨", "Yang", NULL}, {"黄", "Huang", "Wong"}, {"赵", "Zhao", NULL},
    {"吴", "Wu", NULL}, {"周", "Zhou", "Chou"}, {"徐", "Xu", NULL}, {"孙", "Sun", NULL},
    {"马", "Ma", NULL}, {"朱", "Zhu", NULL}, {"胡", "Hu", NULL}, {"林", "Lin", "Lim"},
};
static const name_part zh_male[] = {
    {"伟", "Wei", NULL}, {"强", "Qiang", NULL}, {"磊", "Lei", NULL}, {"军", "Jun", NULL},
    {"勇", "Yong", NULL}, {"杰", "Jie", NULL}, {"涛", "Tao", NULL}, {"明", "Ming", NULL},
    {"超", "Chao", NULL}, {"建华", "Jianhua", NULL}, {"志强", "Zhiqiang", NULL},
    {"国庆", "Guoqing", NULL}, {"文博", "Wenbo", NULL}, {"浩然", "Haoran", NULL},
    {"俊杰", "Junjie", NULL},
};
static const name_part zh_female[] = {
    {"秀英", "Xiuying", NULL}, {"芳", "Fang", NULL}, {"娜", "Na", NULL}, {"敏", "Min", NULL},
    {"静", "Jing", NULL}, {"丽", "Li", NULL}, {"艳", "Yan", NULL}, {"娟", "Juan", NULL},
    {"霞", "Xia", NULL}, {"玲", "Ling", NULL}, {"桂英", "Guiying", NULL},
    {"丽华", "Lihua", NULL}, {"婷", "Ting", NULL}, {"雪梅", "Xuemei", NULL},
    {"晓燕", "Xiaoyan", NULL},
};

/* Filipino names, already in Latin script. */
static const name_part ph_male[] = {
    {NULL, "Jose", NULL}, {NULL, "Juan", NULL}, {NULL, "Mark", NULL}, {NULL, "John Paul", NULL},
    {NULL, "Christian", NULL}, {NULL, "Angelo", NULL}, {NULL, "Rommel", NULL},
    {NULL, "Jerome", NULL}, {NULL, "Ramon", NULL}, {NULL, "Roberto", NULL}, {NULL, "Danilo", NULL},
    {NULL, "Renato", NULL}, {NULL, "Joel", NULL}, {NULL, "Arnel", NULL}, {NULL, "Michael", NULL},
};
static const name_part ph_female[] = {
    {NULL, "Maria", NULL}, {NULL, "Mary Grace", NULL}, {NULL, "Kristine", "Christine"},
    {NULL, "Jocelyn", NULL}, {NULL, "Rosalie", NULL}, {NULL, "Maricel", NULL},
    {NULL, "Angelica", NULL}, {NULL, "Lorna", NULL}, {NULL, "Analyn", NULL},
    {NULL, "Jennifer", NULL}, {NULL, "Marites", NULL}, {NULL, "Cristina", "Kristina"},
    {NULL, "Rowena", NULL}, {NULL, "Liza", "Lisa"}, {NULL, "Precious", NULL},
};
static const name_part ph_family[] = {
    {NULL, "Santos", NULL}, {NULL, "Reyes", NULL}, {NULL, "Cruz", NULL}, {NULL, "Bautista", NULL},
    {NULL, "Garcia", NULL}, {NULL, "Mendoza", NULL}, {NULL, "Del Rosario", NULL},
    {NULL, "Villanueva", NULL}, {NULL, "Ramos", NULL}, {NULL, "Aquino", NULL},
    {NULL, "Castillo", NULL}, {NULL, "Flores", NULL}, {NULL, "Gonzales", NULL},
    {NULL, "Dela Cruz", "De la Cruz"}, {NULL, "Torres", NULL}, {NULL, "Navarro", NULL},
};
/* clang-format on */

/* How people of one origin are named and documented. */
typedef struct name_group {
    const char *nationality; /* ISO 3166-1 code */
    const char *language;    /* first language */
    int weight;              /* share of generated persons (sums to 100) */
    int family_first;        /* 1: family name written first */
    int native_spaces;       /* 1: parts separated by spaces in the native script */
    name_list male, female;  /* given names */
    name_list family;        /* family names; empty: 2-3 given-name parts instead */
    name_list middle_m;      /* middle names for men (Vietnamese), or empty */
    name_list middle_f;      /* middle names for women, or empty */
    const char *passport;    /* fill_pattern() pattern of a passport number */
    const char *national_id; /* pattern of a national id number; NULL: Myanmar NRC */
    const char *phone;       /* pattern of a mobile number */
} name_group;

static const name_group groups[] = {
    {"MM", "my", 30, 0, 0, LIST(my_male), LIST(my_female), NO_LIST, NO_LIST, NO_LIST, "M@######",
     NULL, "+95 9 ### ### ###"},
    {"TH", "th", 16, 0, 1, LIST(th_male), LIST(th_female), LIST(th_family), NO_LIST, NO_LIST,
     "A@#######", "#-####-#####-##-#", "+66 8# ### ####"},
    {"LA", "lo", 14, 0, 1, LIST(lo_male), LIST(lo_female), LIST(lo_family), NO_LIST, NO_LIST,
     "P#######", "##########", "+856 20 #### ####"},
    {"KH", "km", 14, 1, 1, LIST(km_male), LIST(km_female), LIST(km_family), NO_LIST, NO_LIST,
     "N########", "#########", "+855 ## ### ###"},
    {"VN", "vi", 11, 1, 1, LIST(vi_male), LIST(vi_female), LIST(vi_family), LIST(vi_middle_m),
     LIST(vi_middle_f), "C#######", "0###########", "+84 9# ### ####"},
    {"CN", "zh", 8, 1, 0, LIST(zh_male), LIST(zh_female), LIST(zh_family), NO_LIST, NO_LIST,
     "E########", "#################", "+86 13# #### ####"},
    {"PH", "fil", 7, 0, 1, LIST(ph_male), LIST(ph_female), LIST(ph_family), NO_LIST, NO_LIST,
     "P#######@", "####-####-####", "+63 9## ### ####"},
};

/* Myanmar township codes for National Registration Card numbers. */
static const char *const nrc_townships[] = {"MaYaKa", "KaMaYa", "LaMaNa", "PaBaTa", "ThaKaTa",
                                            "MaLaMa", "YaKaNa", "DaGaMa", "KaTaNa", "MaNaNa"};

/* The name of one generated person. */
typedef struct person_name {
    const name_group *g; /* origin */
    int female;          /* 1 for a woman's name */
    const char *sex;     /* value for "sex" */
    char native[200];    /* full name in the group's script ("" for Latin-script groups) */
    char latin[200];     /* romanised full name */
    char alt[200];       /* another spelling of the romanised name ("" if none) */
    char reversed[200];  /* romanised name with the parts in the other order ("" if none) */
} person_name;

/* Append part (with a separating space when sep and out is not empty). */
static void name_add(char *out, size_t cap, const char *part, int sep) {
    size_t n = strlen(out);
    if (part == NULL) return;
    snprintf(out + n, cap - n, "%s%s", n && sep ? " " : "", part);
}

/* Draw a name from g into pn using r. */
static void name_draw(rng *r, const name_group *g, person_name *pn) {
    const name_part *parts[3];
    int np = 0, given_at = 0;
    const name_list *given = pn->female ? &g->female : &g->male;
    const name_list *middle = pn->female ? &g->middle_f : &g->middle_m;
    if (g->family.n == 0) {
        np = rng_chance(r, 60) ? 2 : 3;
        for (int i = 0; i < np; i++) parts[i] = &given->p[rng_below(r, (uint32_t)given->n)];
    } else {
        const name_part *fam = &g->family.p[rng_below(r, (uint32_t)g->family.n)];
        const name_part *giv = &given->p[rng_below(r, (uint32_t)given->n)];
        const name_part *mid = middle->n ? &middle->p[rng_below(r, (uint32_t)middle->n)] : NULL;
        if (g->family_first) {
            parts[np++] = fam;
            if (mid) parts[np++] = mid;
            given_at = np;
            parts[np++] = giv;
        } else {
            parts[np++] = giv;
            parts[np++] = fam;
        }
    }
    pn->g = g;
    pn->native[0] = pn->latin[0] = pn->alt[0] = pn->reversed[0] = 0;
    int has_alt = 0;
    for (int i = 0; i < np; i++) {
        name_add(pn->native, sizeof pn->native, parts[i]->native, g->native_spaces);
        name_add(pn->latin, sizeof pn->latin, parts[i]->latin, 1);
        name_add(pn->alt, sizeof pn->alt, parts[i]->alt ? parts[i]->alt : parts[i]->latin, 1);
        if (parts[i]->alt) has_alt = 1;
    }
    if (!has_alt) pn->alt[0] = 0;
    if (g->family.n) {
        /* Forms often swap given and family name; keep a middle name with the given name. */
        const name_part *giv = parts[given_at], *fam = g->family_first ? parts[0] : parts[1];
        if (g->family_first) {
            for (int i = 1; i < np; i++)
                name_add(pn->reversed, sizeof pn->reversed, parts[i]->latin, 1);
            name_add(pn->reversed, sizeof pn->reversed, fam->latin, 1);
        } else {
            name_add(pn->reversed, sizeof pn->reversed, fam->latin, 1);
            name_add(pn->reversed, sizeof pn->reversed, giv->latin, 1);
        }
    }
}

/* Pick a group by weight. */
static const name_group *group_draw(rng *r) {
    int x = (int)rng_below(r, 100);
    for (size_t i = 0; i < COUNT(groups); i++) {
        if (x < groups[i].weight) return &groups[i];
        x -= groups[i].weight;
    }
    return &groups[0];
}

/* The group of nationality cc (the first group if none). */
static const name_group *group_of(const char *cc) {
    for (size_t i = 0; i < COUNT(groups); i++)
        if (strcmp(groups[i].nationality, cc) == 0) return &groups[i];
    return &groups[0];
}

/* The name of person index i (the first draws of its generator). */
static void person_name_for(uint64_t seed, int64_t i, person_name *pn) {
    rng r = rng_for(seed, 1, (uint64_t)i);
    const name_group *g = group_draw(&r);
    int s = (int)rng_below(&r, 100);
    pn->female = s < 57;
    pn->sex = s < 56 ? "female" : s < 95 ? "male" : s < 96 ? "other" : "unknown";
    name_draw(&r, g, pn);
}

/* ---- persons and cases ---- */

/* The demo accounts: user name = role, plus a second case worker. */
static const struct demo_user {
    const char *name; /* user name */
    const char *role; /* its role */
} demo_users[] = {
    {"supervisor", "supervisor"}, {"caseworker", "caseworker"}, {"caseworker2", "caseworker"},
    {"hotline", "hotline"},       {"analyst", "analyst"},       {"auditor", "auditor"},
};
enum { U_SUPERVISOR, U_CASEWORKER, U_CASEWORKER2, U_HOTLINE }; /* indexes into demo_users */

/* State shared by the generators. */
typedef struct demo {
    uint64_t seed; /* --seed */
    int64_t today; /* epoch seconds of today's 00:00 UTC: every date is before it */
    int64_t users[COUNT(demo_users)]; /* ids of the demo users, in demo_users order */
    int64_t *case_ids;                /* case id of person index i */
    int64_t ncases;                   /* entries in case_ids */
} demo;

/* Agencies that own the cases: made-up names. */
static const char *const agencies[] = {
    "Bangkok Protection Centre (demo)", "Chiang Mai Shelter (demo)",
    "Mae Sot Migrant Support (demo)",   "Songkhla Anti-Trafficking Unit (demo)",
    "Nong Khai Border Office (demo)",   "Ranong Fisheries Outreach (demo)",
};

/* "YYYY-MM-DD" of epoch seconds t into out (11 bytes). */
static void date_of(int64_t t, char out[11]) {
    char ts[21];
    ts_format(t, ts);
    memcpy(out, ts, 10);
    out[10] = 0;
}

/* A date of birth in one of the three forms, or NULL (not recorded). */
static json_t *dob_draw(rng *r, const demo *d) {
    int form = (int)rng_below(r, 100);
    char date[11];
    int y = rng_range(r, 1965, 2011);
    if (form < 40) {
        int m = rng_range(r, 1, 12);
        char s[40];
        snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, rng_range(r, 1, days_in_month(y, m)));
        return json_pack("{ss}", "date", s);
    }
    if (form < 65) return json_pack("{sisi}", "year", y, "plus_minus_years", rng_range(r, 0, 5));
    if (form < 70) return json_pack("{sisi}", "year", y, "month", rng_range(r, 1, 12));
    if (form < 90) {
        date_of(d->today - (int64_t)rng_range(r, 1, 730) * DAY, date);
        return json_pack("{siss}", "age", rng_range(r, 13, 55), "as_of", date);
    }
    return NULL;
}

/* A national id value for nationality g into out (cap bytes). */
static void national_id_draw(rng *r, const name_group *g, char *out, size_t cap) {
    if (g->national_id == NULL) { /* Myanmar NRC: state/township(N)number */
        char digits[8];
        fill_pattern(r, "######", digits, sizeof digits);
        snprintf(out, cap, "%d/%s(N)%s", rng_range(r, 1, 14), PICK(r, nrc_townships), digits);
        return;
    }
    fill_pattern(r, g->national_id, out, cap);
    if (strcmp(g->nationality, "TH") == 0) {
        out[0] = (char)('1' + rng_below(r, 8));
        if (rng_chance(r, 40)) { /* often written without the dashes */
            size_t j = 0;
            for (size_t i = 0; out[i]; i++)
                if (out[i] != '-') out[j++] = out[i];
            out[j] = 0;
        }
    } else if (strcmp(g->nationality, "CN") == 0) { /* 17 digits and a check character */
        name_add(out, cap, rng_chance(r, 10) ? "X" : "7", 0);
    }
}

/* Append {type, value[, country]} to ids. */
static void ident_add(json_t *ids, const char *type, const char *value, const char *country) {
    json_t *x = json_pack("{ssss}", "type", type, "value", value);
    if (x && country) json_object_set_new(x, "country", json_string(country));
    json_array_append_new(ids, x);
}

/* The JSON for a new person, index i; pn receives its name. */
static json_t *person_draw(const demo *d, int64_t i, person_name *pn) {
    person_name_for(d->seed, i, pn);
    rng r = rng_for(d->seed, 2, (uint64_t)i);
    const name_group *g = pn->g;
    json_t *p = json_object();
    if (p == NULL) return NULL;
    /* Latin-script names have no separate native form; 3% of the others were recorded
    ** only in their own script and 6% only in Latin letters. */
    int form = (int)rng_below(&r, 100);
    if (pn->native[0] && (form < 3 || form >= 9))
        json_object_set_new(p, "native_name", json_string(pn->native));
    if (!pn->native[0] || form >= 3) json_object_set_new(p, "latin_name", json_string(pn->latin));
    json_object_set_new(p, "sex", json_string(pn->sex));
    json_t *dob = dob_draw(&r, d);
    if (dob) json_object_set_new(p, "date_of_birth", dob);
    if (rng_chance(&r, 95)) json_object_set_new(p, "nationality", json_string(g->nationality));
    json_t *langs = json_pack("[s]", g->language);
    if (strcmp(g->language, "th") && rng_chance(&r, 30))
        json_array_append_new(langs, json_string("th"));
    if (rng_chance(&r, 10)) json_array_append_new(langs, json_string("en"));
    json_object_set_new(p, "languages", langs);
    if (rng_chance(&r, 18)) {
        json_t *other = json_array();
        if (pn->alt[0]) json_array_append_new(other, json_string(pn->alt));
        if (pn->reversed[0] && (json_array_size(other) == 0 || rng_chance(&r, 30)))
            json_array_append_new(other, json_string(pn->reversed));
        if (json_array_size(other))
            json_object_set_new(p, "other_names", other);
        else
            json_decref(other);
    }
    json_t *ids = json_array();
    char v[64];
    if (rng_chance(&r, 35)) {
        fill_pattern(&r, g->passport, v, sizeof v);
        ident_add(ids, "passport", v, g->nationality);
    }
    if (rng_chance(&r, 30)) {
        national_id_draw(&r, g, v, sizeof v);
        ident_add(ids, "national_id", v, g->nationality);
    }
    if (rng_chance(&r, 40)) {
        /* Migrants often carry a Thai SIM. */
        fill_pattern(&r, rng_chance(&r, 50) ? g->phone : "08#-###-####", v, sizeof v);
        ident_add(ids, "phone", v, NULL);
    }
    if (strcmp(g->nationality, "TH") && rng_chance(&r, 10)) {
        fill_pattern(&r, "IMM-20##-######", v, sizeof v);
        ident_add(ids, "immigration_ref", v, "TH");
    }
    if (strcmp(g->nationality, "TH") == 0 && rng_chance(&r, 10)) {
        fill_pattern(&r, "########", v, sizeof v);
        ident_add(ids, "house_registration", v, "TH");
    }
    if (json_array_size(ids))
        json_object_set_new(p, "identifiers", ids);
    else
        json_decref(ids);
    return p;
}

/* The JSON for the case of person index i, without its person_id. */
static json_t *case_draw(const demo *d, int64_t i) {
    rng r = rng_for(d->seed, 4, (uint64_t)i);
    int o = (int)rng_below(&r, 100);
    int64_t owner = d->users[o < 45 ? U_CASEWORKER : o < 85 ? U_CASEWORKER2 : U_SUPERVISOR];
    return json_pack("{sssIssss}", "agency", PICK(&r, agencies), "owner_id", (json_int_t)owner,
                     "status", rng_enum(&r, case_statuses), "trafficking_status",
                     rng_enum(&r, trafficking_statuses));
}

/* ---- contacts ---- */

static const char *const places[] = {
    "a fishing boat out of Samut Sakhon",
    "a garment factory in Mae Sot",
    "a karaoke bar in Pattaya",
    "a construction site in Bangkok",
    "a fruit farm in Chanthaburi",
    "a seafood processing plant in Songkhla",
    "a private house in Nonthaburi",
    "a call-centre compound near the border",
    "a restaurant in Phuket",
    "a rubber plantation in Surat Thani",
};
static const char *const jobs[] = {
    "factory work",           "restaurant work", "domestic work",     "construction work",
    "work on a fishing boat", "farm work",       "online sales work", "massage work",
};

/* How a reporter is related to the person the contact is about. */
typedef struct relation {
    const char *name;   /* value of reporter.relationship */
    const char *phrase; /* as the subject of a summary sentence */
    int sex;            /* 0 any, 1 a woman, 2 a man */
} relation;

#define N_FAMILY 7 /* relations[0..N_FAMILY-1] are relatives */
static const relation relations[] = {
    {"mother", "The mother", 1},
    {"father", "The father", 2},
    {"sister", "A sister", 1},
    {"brother", "A brother", 2},
    {"spouse", "The spouse", 0},
    {"cousin", "A cousin", 0},
    {"aunt", "An aunt", 1},
    {"friend", "A friend", 0},
    {"employer", "The employer", 0},
    {"neighbour", "A neighbour", 0},
    {"NGO worker", "An NGO worker", 0},
    {"police officer", "A police officer", 0},
    {"village head", "The village head", 0},
    {"teacher", "A teacher", 0},
};

/* Summary templates.  Tokens: {name} the person, {who} the caller, {place},
** {work}, and numbers {months} {debt} {hours} {count} {secs}. */
static const char *const tmpl_case[] = {
    "{who} says {name} went to {place} for {work} and has not been paid for {months} months. "
    "The employer keeps the passport.",
    "{name} is at {place}. Recruited by a broker for {work}; now owes a debt of {debt},000 "
    "baht and is not allowed to leave.",
    "{who} reports that {name} was promised {work} but was taken to {place}. Phone taken "
    "away; can make contact only at night.",
    "Follow-up with {name}: safe at the shelter, asked about the case and the date of the "
    "court hearing.",
    "{name} asks for help to return home from {place}. Documents held by the employer.",
    "Outreach team met {name} at {place}, working {hours} hours a day without days off.",
    "{name} reports being locked in at {place} with {count} other workers. Needs an "
    "interpreter.",
    "{who} has not heard from {name} for {months} months, since leaving for {work} at "
    "{place}.",
};
static const char *const tmpl_information[] = {
    "Asked how to check whether a job offer for {work} abroad is genuine. Information given.",
    "Question about work permits and the MOU recruitment process. Referred to the labour "
    "office.",
    "Asked about the hotline's opening hours and services.",
    "Asked how to report a recruitment agency charging {debt},000 baht in fees. Information "
    "given.",
};
static const char *const tmpl_wrong[] = {
    "Wrong number; caller was looking for a taxi company.",
    "Wrong number; caller wanted the electricity office.",
    "Wrong number.",
};
static const char *const tmpl_silent[] = {
    "Silent call; line open for {secs} seconds, no response.",
    "Silent call, background noise only. Called back, no answer.",
};
static const char *const tmpl_other[] = {
    "A partner agency asked for the case worker on duty.",
    "Thanked staff for earlier help; no new information.",
    "Media enquiry; referred to the supervisor.",
    "Student asked for statistics for a research project; referred to published reports.",
};

/* Values for the tokens of a template. */
typedef struct tmpl_vals {
    const char *name, *who, *place, *work; /* {name} {who} {place} {work} */
    int months, debt, hours, count, secs;  /* the numbers */
} tmpl_vals;

/* Expand template t into b; unknown tokens are dropped. */
static int tmpl_expand(buf *b, const char *t, const tmpl_vals *v) {
    const struct {
        const char *key, *s;
        int n;
    } tok[] = {
        {"name", v->name, 0},      {"who", v->who, 0},          {"place", v->place, 0},
        {"work", v->work, 0},      {"months", NULL, v->months}, {"debt", NULL, v->debt},
        {"hours", NULL, v->hours}, {"count", NULL, v->count},   {"secs", NULL, v->secs},
    };
    int rc = KNIT_OK;
    while (*t && rc == KNIT_OK) {
        const char *open = strchr(t, '{'), *close = open ? strchr(open, '}') : NULL;
        if (close == NULL) return buf_puts(b, t);
        rc = buf_append(b, t, (size_t)(open - t));
        size_t n = (size_t)(close - open - 1);
        for (size_t k = 0; k < COUNT(tok) && rc == KNIT_OK; k++) {
            if (strlen(tok[k].key) != n || memcmp(tok[k].key, open + 1, n)) continue;
            rc = tok[k].s ? buf_puts(b, tok[k].s) : buf_printf(b, "%d", tok[k].n);
        }
        t = close + 1;
    }
    return rc;
}

/* A reporter.  slot >= 0: repeat reporter number slot, who has the same name,
** phone and relation (not a relative) every time.  Otherwise drawn from r:
** the person the contact is about (subject, may be NULL) calling themselves,
** a relative of theirs or someone else.  *rel receives the relation, NULL for
** the person themselves. */
static json_t *reporter_draw(rng *r, uint64_t seed, int slot, const person_name *subject,
                             const relation **rel) {
    rng pr = slot >= 0 ? rng_for(seed, 5, (uint64_t)slot) : *r;
    person_name pn;
    int kind = slot >= 0 ? 99 : (int)rng_below(&pr, 100); /* <30 self, <70 relative */
    if (subject && kind < 30) {                           /* the person themselves */
        pn = *subject;
        *rel = NULL;
    } else {
        int family = subject && kind < 70;
        *rel = family
                   ? &relations[rng_below(&pr, N_FAMILY)]
                   : &relations[N_FAMILY + rng_below(&pr, (uint32_t)COUNT(relations) - N_FAMILY)];
        const name_group *g = family                ? subject->g
                              : rng_chance(&pr, 50) ? group_of("TH")
                                                    : group_draw(&pr);
        pn.female = (*rel)->sex ? (*rel)->sex == 1 : rng_chance(&pr, 50);
        name_draw(&pr, g, &pn);
    }
    char phone[40];
    fill_pattern(&pr, rng_chance(&pr, 60) ? "08#-###-####" : pn.g->phone, phone, sizeof phone);
    int named = *rel == NULL || rng_chance(&pr, 85);
    int native = pn.native[0] && rng_chance(&pr, 30);
    if (slot < 0) *r = pr;
    json_t *rep = json_pack("{ssss}", "phone", phone, "relationship", *rel ? (*rel)->name : "self");
    if (rep && named) json_object_set_new(rep, "name", json_string(native ? pn.native : pn.latin));
    return rep;
}

/* Whether s is one of the values of a NULL-terminated array. */
static int enum_has(const char *const *v, const char *s) {
    for (; *v; v++)
        if (strcmp(*v, s) == 0) return 1;
    return 0;
}

/* The JSON for contact index i; reporter_slots repeat reporters to draw from. */
static json_t *contact_draw(const demo *d, int64_t i, int64_t reporter_slots) {
    static const char *const phone_like[] = {"phone", "line", "overseas_callback"};
    rng r = rng_for(d->seed, 3, (uint64_t)i);
    char ts[21];
    ts_format(d->today - 1 - (int64_t)rng_below(&r, 730 * DAY), ts);
    /* Half are about a case; the rest spread over the other categories. */
    const char *category = "case";
    if (enum_count(contact_categories) > 1 &&
        (rng_chance(&r, 50) || !enum_has(contact_categories, "case")))
        while (strcmp(category = rng_enum(&r, contact_categories), "case") == 0) {
        }
    const char *channel = rng_enum(&r, contact_channels);
    int phone_only = strcmp(category, "silent") == 0 || strcmp(category, "wrong_number") == 0;
    if (phone_only) {
        const char *ch = PICK(&r, phone_like);
        if (enum_has(contact_channels, ch)) channel = ch;
    }
    json_t *c = json_pack("{ssssss}", "channel", channel, "occurred_at", ts, "category", category);
    if (c == NULL) return NULL;
    /* The person it is about: a case's person, or someone not (yet) known. */
    person_name pn;
    const person_name *subject = NULL;
    const char *lang = PICK(&r, groups).language;
    if (strcmp(category, "case") == 0) {
        if (d->ncases > 0 && rng_chance(&r, 95)) {
            int64_t k = (int64_t)(rng_next(&r) % (uint64_t)d->ncases);
            json_object_set_new(c, "case_id", json_integer(d->case_ids[k]));
            person_name_for(d->seed, k, &pn);
        } else {
            pn.female = rng_chance(&r, 60);
            name_draw(&r, group_draw(&r), &pn);
        }
        subject = &pn;
        lang = pn.g->language;
    } else if (rng_chance(&r, 20)) {
        lang = rng_chance(&r, 70) ? "th" : "en";
    }
    json_object_set_new(c, "language", json_string(lang));
    if (strcmp(lang, "th") && strcmp(lang, "en") && rng_chance(&r, 40))
        json_object_set_new(c, "interpreter_language", json_string("th"));
    tmpl_vals v = {subject ? subject->latin : "",
                   "The caller",
                   PICK(&r, places),
                   PICK(&r, jobs),
                   rng_range(&r, 2, 18),
                   rng_range(&r, 5, 80),
                   rng_range(&r, 12, 20),
                   rng_range(&r, 3, 40),
                   rng_range(&r, 5, 90)};
    int self = 0;
    if (!phone_only && rng_chance(&r, 45)) {
        const relation *rel = NULL;
        int slot = -1;
        if (reporter_slots && rng_chance(&r, 30))
            slot = (int)(rng_next(&r) % (uint64_t)reporter_slots);
        json_t *rep = reporter_draw(&r, d->seed, slot, subject, &rel);
        if (rel) v.who = rel->phrase;
        self = rel == NULL;
        json_object_set_new(c, "reporter", rep);
    }
    const char *t = strcmp(category, "case") == 0           ? PICK(&r, tmpl_case)
                    : strcmp(category, "information") == 0  ? PICK(&r, tmpl_information)
                    : strcmp(category, "wrong_number") == 0 ? PICK(&r, tmpl_wrong)
                    : strcmp(category, "silent") == 0       ? PICK(&r, tmpl_silent)
                                                            : PICK(&r, tmpl_other);
    while (self && strstr(t, "{who}")) t = PICK(&r, tmpl_case); /* they speak for themselves */
    buf b;
    buf_init(&b, 4096);
    if (tmpl_expand(&b, t, &v) == KNIT_OK)
        json_object_set_new(c, "summary", json_string(buf_str(&b)));
    buf_free(&b);
    return c;
}

/* ---- the command ---- */

/* demo's own options; the serve options (except db and key-file) follow at run time. */
static const optdef demo_own[] = {
    {"db", "FILE", "demo database, replaced if it is a demo node (default demo/demo.db)"},
    {"persons", "N", "persons to generate, one case each (default 2000)"},
    {"contacts", "N", "contacts to generate (default 10000)"},
    {"seed", "N", "random seed: the same seed gives the same data (default 1)"},
    {"no-serve", NULL, "build the node, print the logins and exit"},
};

/* Fill defs with demo_own then the serve options; returns 0 or -1 when too many. */
static int demo_defs(optdef *defs, int cap) {
    int n = 0;
    for (size_t i = 0; i < COUNT(demo_own) && n < cap; i++) defs[n++] = demo_own[i];
    for (int i = 0; serve_defs[i].name; i++) {
        if (strcmp(serve_defs[i].name, "db") == 0 || strcmp(serve_defs[i].name, "key-file") == 0)
            continue;
        if (n == cap) return -1;
        defs[n++] = serve_defs[i];
    }
    if (n == cap) return -1;
    defs[n] = (optdef){NULL, NULL, NULL};
    return 0;
}

/* Whether s is HOST:PORT as the server accepts it (IPv4 or [IPv6], port 0-65535). */
static int listen_valid(const char *s) {
    const char *colon = strrchr(s, ':');
    char host[64];
    int64_t port;
    unsigned char a[16];
    if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof host) return 0;
    if (parse_i64(colon + 1, 0, 65535, &port)) return 0;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    size_t n = strlen(host);
    if (host[0] == '[') {
        if (n < 3 || host[n - 1] != ']') return 0;
        host[n - 1] = 0;
        return inet_pton(AF_INET6, host + 1, a) == 1;
    }
    return inet_pton(AF_INET, host, a) == 1;
}

/* mkdir -p of the directory holding path, new directories mode 0700. */
static int make_parent(const char *path) {
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path) return 0;
    if ((size_t)(slash - path) >= sizeof dir) return -1;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = 0;
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != 0) continue;
        char c = *p;
        *p = 0;
        struct stat st;
        if (mkdir(dir, 0700) != 0 && (errno != EEXIST || stat(dir, &st) || !S_ISDIR(st.st_mode))) {
            fprintf(stderr, "knit: demo: cannot create directory %s: %s\n", dir,
                    strerror(errno == EEXIST ? ENOTDIR : errno));
            return -1;
        }
        *p = c;
        if (c == 0) break;
    }
    return 0;
}

/* Whether the file at path is a node database created by knit demo.  Opens
** it read-write (not read-only) so that closing it tidies away the -wal and
** -shm files as Knit's other commands do. */
static int is_demo_node(const char *path) {
    static const char magic[16] = "SQLite format 3";
    char head[16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
    if (n != sizeof head || memcmp(head, magic, sizeof magic)) return 0;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT name FROM node WHERE id=1", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        yes = name && strcmp(name, DEMO_NODE_NAME) == 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return yes;
}

/* Remove a previous demo node at path (database, WAL, shared memory, keys).
** Returns 0, or 2 after an error when path holds something else. */
static int demo_replace(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    if (!S_ISREG(st.st_mode) || !is_demo_node(path))
        return cli_usage_error("demo: %s exists and is not a demo node; refusing to replace it",
                               path);
    static const char *const suffixes[] = {"", "-wal", "-shm", ".keys"};
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        char f[4200];
        snprintf(f, sizeof f, "%s%s", path, suffixes[i]);
        if (unlink(f) != 0 && errno != ENOENT) {
            fprintf(stderr, "knit: demo: cannot remove %s: %s\n", f, strerror(errno));
            return 1;
        }
    }
    printf("demo: replaced the previous demo node at %s\n", path);
    return 0;
}

/* Seconds since t0 (monotonic microseconds). */
static double secs_since(int64_t t0) {
    return (double)(mono_us() - t0) / 1e6;
}

/* After record n of total: print a progress line every DEMO_PROGRESS records and at the end. */
static void progress(const char *what, int64_t n, int64_t total, int64_t t0) {
    if (n % DEMO_PROGRESS && n != total) return;
    double s = secs_since(t0);
    fprintf(stderr, "demo: %lld/%lld %s, %.1fs, %.0f/s\n", (long long)n, (long long)total, what, s,
            s > 0 ? (double)n / s : 0.0);
}

/* Fill e with out-of-memory and return KNIT_ENOMEM. */
static int oom(kerr *e) {
    return kerr_set(e, KNIT_ENOMEM, "out_of_memory", "", "out of memory");
}

/* Before record i: every DEMO_BATCH records commit the open batch (if any)
** and open the next; *open tracks whether one is open.  Each domain call
** still runs in its own savepoint inside the batch. */
static int batch_step(sqlite3 *db, int64_t i, int *open, kerr *e) {
    if (i % DEMO_BATCH) return KNIT_OK;
    if (*open) {
        *open = 0;
        if (db_batch_end(db, 1)) return db_error(db, e);
    }
    if (db_batch_begin(db)) return db_error(db, e);
    *open = 1;
    return KNIT_OK;
}

/* Close the open batch, if any: commit it when rc is KNIT_OK, else roll it back. */
static int batch_finish(sqlite3 *db, int rc, int open, kerr *e) {
    if (open && db_batch_end(db, rc == KNIT_OK) && rc == KNIT_OK) rc = db_error(db, e);
    return rc;
}

/* Create persons 0..n-1 and their cases, DEMO_BATCH to a commit. */
static int make_persons(sqlite3 *db, demo *d, int64_t n, kerr *e) {
    int rc = KNIT_OK, open = 0;
    int64_t t0 = mono_us();
    actor who[3] = {{d->users[U_CASEWORKER], "caseworker", ""},
                    {d->users[U_CASEWORKER2], "caseworker2", ""},
                    {d->users[U_SUPERVISOR], "supervisor", ""}};
    for (int64_t i = 0; i < n && rc == KNIT_OK; i++) {
        rc = batch_step(db, i, &open, e);
        person_name pn;
        json_t *p = person_draw(d, i, &pn), *c = case_draw(d, i), *out = NULL;
        if (rc == KNIT_OK && (p == NULL || c == NULL)) rc = oom(e);
        /* The case's owner records the person and opens the case. */
        const actor *a = &who[0];
        for (int k = 0; k < 3; k++)
            if (who[k].user_id == json_integer_value(json_object_get(c, "owner_id"))) a = &who[k];
        if (rc == KNIT_OK) rc = person_create(db, a, p, &out, e);
        if (rc == KNIT_OK) rc = jv_set_new(c, "person_id", json_copy(json_object_get(out, "id")));
        json_decref(out);
        out = NULL;
        if (rc == KNIT_OK) rc = case_create(db, a, c, &out, e);
        if (rc == KNIT_OK) {
            d->case_ids[i] = json_integer_value(json_object_get(out, "id"));
            d->ncases = i + 1;
            progress("persons+cases", i + 1, n, t0);
        }
        json_decref(p);
        json_decref(c);
        json_decref(out);
    }
    return batch_finish(db, rc, open, e);
}

/* Create contacts 0..n-1, DEMO_BATCH to a commit; *reporters receives how
** many have a reporter. */
static int make_contacts(sqlite3 *db, const demo *d, int64_t n, int64_t *reporters, kerr *e) {
    int rc = KNIT_OK, open = 0;
    int64_t t0 = mono_us();
    int64_t slots = n / 40 < 10 ? 10 : n / 40 > 400 ? 400 : n / 40; /* repeat reporters */
    actor hotline = {d->users[U_HOTLINE], "hotline", ""};
    *reporters = 0;
    for (int64_t i = 0; i < n && rc == KNIT_OK; i++) {
        rc = batch_step(db, i, &open, e);
        json_t *c = contact_draw(d, i, slots), *out = NULL;
        if (rc == KNIT_OK && c == NULL) rc = oom(e);
        if (rc == KNIT_OK) rc = contact_create(db, &hotline, c, &out, e);
        if (rc == KNIT_OK) {
            if (json_is_object(json_object_get(c, "reporter"))) (*reporters)++;
            progress("contacts", i + 1, n, t0);
        }
        json_decref(c);
        json_decref(out);
    }
    return batch_finish(db, rc, open, e);
}

/* Add the demo users; passwords[i] receives each one's password (xfree them). */
static int make_users(sqlite3 *db, demo *d, char **passwords, kerr *e) {
    actor cli = {0, "cli", ""};
    for (size_t i = 0; i < COUNT(demo_users); i++) {
        passwords[i] = password_generate();
        if (passwords[i] == NULL) return oom(e);
        int rc = user_add(db, demo_users[i].name, demo_users[i].role, passwords[i], &cli,
                          &d->users[i], e);
        if (rc) return rc;
    }
    return KNIT_OK;
}

int cmd_demo(int argc, char **argv) {
    optdef defs[CLI_MAX_OPTS + 1];
    if (demo_defs(defs, CLI_MAX_OPTS)) fatal("demo: too many options for CLI_MAX_OPTS");
    cmdline cl, scl;
    int rc = cli_parse("demo",
                       "[--db FILE] [--persons N] [--contacts N] [--seed N] [--no-serve]"
                       " [serve options]",
                       defs, argc - 1, argv + 1, &cl);
    if (rc) return rc == 1 ? 0 : rc;
    if (cl.npos) return cli_usage_error("demo: unexpected argument '%.40s'", cl.pos[0]);
    const char *path = cli_opt(defs, &cl, "db", "demo/demo.db");
    long long persons, contacts, seed;
    kerr e;
    if (path_check(path, "--db", &e)) return cli_usage_error("%s", e.message);
    if (cli_int(defs, &cl, "persons", 2000, 0, 10000000, &persons) ||
        cli_int(defs, &cl, "contacts", 10000, 0, 10000000, &contacts) ||
        cli_int(defs, &cl, "seed", 1, 0, INT64_MAX, &seed))
        return 2;
    int serve = cli_opt(defs, &cl, "no-serve", NULL) == NULL;
    /* Hand the serve options over as `knit serve` would have parsed them. */
    memset(&scl, 0, sizeof scl);
    for (int i = 0; serve_defs[i].name; i++)
        scl.val[i] = cli_opt(defs, &cl, serve_defs[i].name, NULL);
    server_opts so;
    if (serve_options(&scl, &so)) return 2;
    if (!listen_valid(so.listen))
        return cli_usage_error("demo: --listen: expected HOST:PORT such as 127.0.0.1:8080, got "
                               "'%.60s'",
                               so.listen);
    if (so.cert && (access(so.cert, R_OK) || access(so.key, R_OK)))
        return cli_usage_error("demo: cannot read %s", access(so.cert, R_OK) ? so.cert : so.key);
    so.db_path = path;

    rc = demo_replace(path);
    if (rc == 0 && make_parent(path)) rc = 1;
    if (rc) return rc;
    char *admin_pw = password_generate();
    if (admin_pw == NULL) {
        fprintf(stderr, "knit: demo: out of memory\n");
        return 1;
    }
    sqlite3 *db = NULL;
    rc = node_create(path, NULL, DEMO_NODE_NAME, "TH", "admin", admin_pw, &db);
    if (rc) {
        xfree(admin_pw);
        return rc;
    }
    demo d = {(uint64_t)seed, now_s() / DAY * DAY, {0}, NULL, 0};
    char *passwords[COUNT(demo_users)] = {NULL};
    int64_t t0 = 0, reporters = 0;
    kerr_clear(&e);
    d.case_ids = xcalloc(persons ? (size_t)persons : 1, sizeof *d.case_ids);
    if (d.case_ids == NULL) rc = oom(&e);
    if (rc == 0) rc = make_users(db, &d, passwords, &e);
    /* Demo data is disposable: skip the fsyncs while generating, and cache more pages. */
    if (rc == 0 && db_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-65536"))
        rc = kerr_set(&e, KNIT_EDB, "database_error", "", "cannot set synchronous=OFF");
    if (rc == 0) {
        printf("demo: generating %lld persons with one case each and %lld contacts (seed %lld)\n",
               persons, contacts, seed);
        fflush(stdout);
        t0 = mono_us();
        rc = make_persons(db, &d, persons, &e);
    }
    double person_secs = secs_since(t0);
    if (rc == 0) rc = make_contacts(db, &d, contacts, &reporters, &e);
    if (rc == 0 &&
        (db_exec(db, "PRAGMA synchronous=FULL") || db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)")))
        rc = kerr_set(&e, KNIT_EDB, "database_error", "", "cannot checkpoint the database");
    double secs = secs_since(t0);
    xfree(d.case_ids);
    db_close(db);
    if (rc) {
        fprintf(stderr, "knit: demo: %s\n", e.message[0] ? e.message : "failed");
        for (size_t i = 0; i < COUNT(demo_users); i++) xfree(passwords[i]);
        xfree(admin_pw);
        return 1;
    }
    printf("demo: %lld persons and cases in %.1fs (%.0f/s), %lld contacts (%lld with a "
           "reporter); %.1fs in all\n",
           persons, person_secs, person_secs > 0 ? (double)persons / person_secs : 0.0, contacts,
           (long long)reporters, secs);
    printf("\ndemo users (passwords shown only once):\n  %-12s %-11s %s\n", "user", "role",
           "password");
    printf("  %-12s %-11s %s\n", "admin", "admin", admin_pw);
    for (size_t i = 0; i < COUNT(demo_users); i++) {
        printf("  %-12s %-11s %s\n", demo_users[i].name, demo_users[i].role, passwords[i]);
        xfree(passwords[i]);
    }
    size_t ll = strlen(so.listen);
    if (serve && ll > 2 && strcmp(so.listen + ll - 2, ":0") == 0) { /* port chosen at bind */
        printf("\nopen the address printed below and log in as admin / %s\n", admin_pw);
    } else if (serve) {
        printf("\nopen %s://%s and log in as admin / %s\n", so.cert ? "https" : "http", so.listen,
               admin_pw);
    } else {
        printf("\nserve it with: knit serve --db %s\n", path);
    }
    fflush(stdout);
    xfree(admin_pw);
    return serve ? server_run(&so) : 0;
}

/* ---- synthetic populations for matching ---- */

/* Split a romanised full name into given names and family name by the
** group's order; groups without family names keep every part as given. */
static void split_name(const person_name *pn, const char *full, char *given, char *family,
                       size_t cap) {
    given[0] = family[0] = 0;
    if (pn->g->family.n == 0) {
        snprintf(given, cap, "%s", full);
        return;
    }
    const char *sp = pn->g->family_first ? strchr(full, ' ') : strrchr(full, ' ');
    if (sp == NULL) {
        snprintf(given, cap, "%s", full);
        return;
    }
    if (pn->g->family_first) {
        snprintf(family, cap, "%.*s", (int)(sp - full), full);
        snprintf(given, cap, "%s", sp + 1);
    } else {
        snprintf(given, cap, "%.*s", (int)(sp - full), full);
        snprintf(family, cap, "%s", sp + 1);
    }
}

/* One keyboard slip in the ASCII string s: insert, delete, substitute or swap. */
static void typo(rng *r, char *s, size_t cap) {
    size_t n = strlen(s);
    if (n < 2 || n + 2 > cap) return;
    size_t at = rng_below(r, (uint32_t)(n - 1));
    char c = (char)('a' + rng_below(r, 26));
    switch (rng_below(r, 4)) {
    case 0: memmove(s + at + 1, s + at, n - at + 1), s[at] = c; break;
    case 1: memmove(s + at, s + at + 1, n - at); break;
    case 2: s[at] = c; break;
    default: {
        char t = s[at];
        s[at] = s[at + 1];
        s[at + 1] = t;
    }
    }
}

/* Write one CSV field (quoted when needed). */
static void csv_field(FILE *out, const char *v, int last) {
    if (strpbrk(v, ",\"\n")) {
        fputc('"', out);
        for (; *v; v++) {
            if (*v == '"') fputc('"', out);
            fputc(*v, out);
        }
        fputc('"', out);
    } else {
        fputs(v, out);
    }
    fputc(last ? '\n' : ',', out);
}

int demo_synth(FILE *out, long records, int dup_percent, uint64_t seed) {
    fputs("rec_id,given_name,surname,native_name,sex,date_of_birth,nationality,id_number\n", out);
    long written = 0;
    for (int64_t i = 0; written < records; i++) {
        person_name pn;
        person_name_for(seed, i, &pn);
        rng r = rng_for(seed, 7, (uint64_t)i);
        char given[200], family[200], dob[16] = "", id[16] = "", recid[48];
        split_name(&pn, pn.latin, given, family, sizeof given);
        snprintf(dob, sizeof dob, "%04d%02d%02d", rng_range(&r, 1965, 2010), rng_range(&r, 1, 12),
                 rng_range(&r, 1, 28));
        if (rng_chance(&r, 60)) snprintf(id, sizeof id, "%09u", rng_below(&r, 1000000000u));
        int dups = rng_chance(&r, dup_percent) ? rng_range(&r, 1, 3) : 0;
        for (int k = -1; k < dups && written < records; k++, written++) {
            char g[200], f[200], d[16], n[200], x[16];
            snprintf(g, sizeof g, "%s", given);
            snprintf(f, sizeof f, "%s", family);
            snprintf(d, sizeof d, "%s", dob);
            snprintf(n, sizeof n, "%s", pn.native);
            snprintf(x, sizeof x, "%s", id);
            if (k >= 0) { /* a duplicate: one to three corruptions */
                int changes = rng_range(&r, 1, 3);
                for (int c = 0; c < changes; c++) {
                    switch (rng_below(&r, 7)) {
                    case 0: typo(&r, g, sizeof g); break;
                    case 1: typo(&r, f[0] ? f : g, sizeof f); break;
                    case 2: /* another romanisation seen on documents */
                        if (pn.alt[0]) split_name(&pn, pn.alt, g, f, sizeof g);
                        break;
                    case 3: { /* given and family name swapped */
                        char t[200];
                        snprintf(t, sizeof t, "%s", g);
                        snprintf(g, sizeof g, "%s", f);
                        snprintf(f, sizeof f, "%s", t);
                        break;
                    }
                    case 4: /* only the year, or a year off: an approximate age */
                        if (rng_chance(&r, 50))
                            d[4] = 0;
                        else if (d[0]) /* "about N years old": the year, give or take one */
                            snprintf(d, sizeof d, "%04d",
                                     (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 +
                                         (d[3] - '0') + rng_range(&r, -1, 1));
                        break;
                    case 5: /* a field left empty */
                        if (rng_chance(&r, 50))
                            d[0] = 0;
                        else
                            x[0] = 0;
                        break;
                    default: /* the native-script name not written down */ n[0] = 0;
                    }
                }
                snprintf(recid, sizeof recid, "rec-%lld-dup-%d", (long long)i, k);
            } else {
                snprintf(recid, sizeof recid, "rec-%lld-org", (long long)i);
            }
            csv_field(out, recid, 0);
            csv_field(out, g, 0);
            csv_field(out, f, 0);
            csv_field(out, n, 0);
            csv_field(out, pn.sex, 0);
            csv_field(out, d, 0);
            csv_field(out, pn.g->nationality, 0);
            csv_field(out, x, 1);
        }
    }
    return ferror(out) ? KNIT_EIO : KNIT_OK;
}
