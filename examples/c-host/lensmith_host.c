/* An example C host of Lensmith's runtime: loads a packed (and, with --trust, signed)
 * bundle, plays it over a Y4M video as a phone camera would deliver it (NV21, with an
 * optional sensor rotation and front-camera mirror), writes the result as Y4M and reports
 * throughput, per-frame p95 and peak memory.
 *
 *   lensmith-host [options] BUNDLE.effect INPUT.y4m OUTPUT.y4m
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "lensmith.h"
#include "y4m.h"

#define MAX_KEYS 8
#define MAX_SETTINGS 8

typedef struct Options {
    const char *bundle, *input, *output, *cache_dir;
    const char *key_files[MAX_KEYS];
    size_t key_count;
    const char *settings[MAX_SETTINGS];
    size_t setting_count;
    unsigned threads, rotation, mirrored, from_file, no_plugin_libraries, max_frames, quiet;
} Options;

static void usage(void) {
    fprintf(stderr,
            "usage: lensmith-host [options] BUNDLE INPUT.y4m OUTPUT.y4m\n"
            "  --trust KEY.pub      only load bundles signed by this key (repeatable)\n"
            "  --cache DIR          where lib/ and models/ are (default $LENSMITH_HOME)\n"
            "  --threads N          ONNX Runtime threads per model\n"
            "  --rotate DEGREES     deliver frames turned as a sensor would: 0, 90, 180, 270\n"
            "  --mirror             deliver frames mirrored, as a front camera does\n"
            "  --set LAYER.NAME=V   set a number parameter (repeatable)\n"
            "  --from-file          load the bundle by path instead of from memory\n"
            "  --no-plugin-libraries  refuse plugin code from bundles\n"
            "  --frames N           stop after N frames\n"
            "  --quiet              do not print trigger events\n");
}

static int parse_options(int argc, char **argv, Options *options) {
    memset(options, 0, sizeof *options);
    const char *positional[3];
    int count = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--trust") && value && options->key_count < MAX_KEYS) {
            options->key_files[options->key_count++] = value, i++;
        } else if (!strcmp(arg, "--cache") && value) {
            options->cache_dir = value, i++;
        } else if (!strcmp(arg, "--threads") && value) {
            options->threads = (unsigned)strtoul(value, NULL, 10), i++;
        } else if (!strcmp(arg, "--rotate") && value) {
            options->rotation = (unsigned)strtoul(value, NULL, 10), i++;
        } else if (!strcmp(arg, "--set") && value && options->setting_count < MAX_SETTINGS) {
            options->settings[options->setting_count++] = value, i++;
        } else if (!strcmp(arg, "--frames") && value) {
            options->max_frames = (unsigned)strtoul(value, NULL, 10), i++;
        } else if (!strcmp(arg, "--mirror")) {
            options->mirrored = 1;
        } else if (!strcmp(arg, "--from-file")) {
            options->from_file = 1;
        } else if (!strcmp(arg, "--no-plugin-libraries")) {
            options->no_plugin_libraries = 1;
        } else if (!strcmp(arg, "--quiet")) {
            options->quiet = 1;
        } else if (arg[0] != '-' && count < 3) {
            positional[count++] = arg;
        } else {
            return 0;
        }
    }
    if (count != 3)
        return 0;
    options->bundle = positional[0];
    options->input = positional[1];
    options->output = positional[2];
    return 1;
}

/* The whole of a file, or NULL (with the reason printed). */
static uint8_t *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        perror(path);
        return NULL;
    }
    uint8_t *bytes = NULL;
    size_t capacity = 0;
    *length = 0;
    for (;;) {
        if (*length == capacity) {
            capacity = capacity ? capacity * 2 : 1 << 16;
            uint8_t *grown = realloc(bytes, capacity);
            if (!grown) {
                free(bytes);
                fclose(file);
                fprintf(stderr, "%s: out of memory\n", path);
                return NULL;
            }
            bytes = grown;
        }
        size_t got = fread(bytes + *length, 1, capacity - *length, file);
        *length += got;
        if (got == 0)
            break;
    }
    int failed = ferror(file);
    fclose(file);
    if (failed) {
        fprintf(stderr, "%s: read error\n", path);
        free(bytes);
        return NULL;
    }
    return bytes;
}

/* A key file's text without its trailing newline. */
static char *read_key(const char *path) {
    size_t length;
    uint8_t *bytes = read_file(path, &length);
    if (!bytes)
        return NULL;
    char *text = malloc(length + 1);
    if (text) {
        memcpy(text, bytes, length);
        text[length] = '\0';
        text[strcspn(text, "\r\n")] = '\0';
    }
    free(bytes);
    return text;
}

static double now_ms(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec * 1e3 + (double)time.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Where the stored pixel (x, y) of a stored_width x stored_height image lands upright,
 * as the runtime reads LensmithImage: turned clockwise by `rotation`, then mirrored. */
static void upright_position(uint32_t x, uint32_t y, uint32_t stored_width,
                             uint32_t stored_height, unsigned rotation, unsigned mirrored,
                             uint32_t *ux, uint32_t *uy) {
    uint32_t upright_width = rotation % 180 ? stored_height : stored_width;
    switch (rotation) {
    case 90: *ux = stored_height - 1 - y, *uy = x; break;
    case 180: *ux = stored_width - 1 - x, *uy = stored_height - 1 - y; break;
    case 270: *ux = y, *uy = stored_width - 1 - x; break;
    default: *ux = x, *uy = y; break;
    }
    if (mirrored)
        *ux = upright_width - 1 - *ux;
}

/* Copies between an upright plane and its stored (turned, mirrored) form, `bytes` bytes a
 * sample; `to_stored` picks the direction. */
static void orient_plane(uint8_t *upright, uint8_t *stored, uint32_t stored_width,
                         uint32_t stored_height, size_t bytes, unsigned rotation,
                         unsigned mirrored, int to_stored) {
    uint32_t upright_width = rotation % 180 ? stored_height : stored_width;
    for (uint32_t y = 0; y < stored_height; y++) {
        for (uint32_t x = 0; x < stored_width; x++) {
            uint32_t ux, uy;
            upright_position(x, y, stored_width, stored_height, rotation, mirrored, &ux, &uy);
            uint8_t *s = stored + ((size_t)y * stored_width + x) * bytes;
            uint8_t *u = upright + ((size_t)uy * upright_width + ux) * bytes;
            if (to_stored)
                memcpy(s, u, bytes);
            else
                memcpy(u, s, bytes);
        }
    }
}

/* Y4M's planar 4:2:0 (upright) to the camera's NV21 (stored), and back. */
static void y4m_to_nv21(const Y4mVideo *video, uint8_t *planes, uint8_t *luma, uint8_t *vu,
                        uint8_t *scratch, unsigned rotation, unsigned mirrored) {
    uint32_t width = video->width, height = video->height;
    uint32_t cw = (width + 1) / 2, ch = (height + 1) / 2;
    const uint8_t *cb = planes + (size_t)width * height, *cr = cb + (size_t)cw * ch;
    for (size_t i = 0; i < (size_t)cw * ch; i++)
        scratch[2 * i] = cr[i], scratch[2 * i + 1] = cb[i];
    uint32_t sw = rotation % 180 ? height : width, sh = rotation % 180 ? width : height;
    orient_plane(planes, luma, sw, sh, 1, rotation, mirrored, 1);
    orient_plane(scratch, vu, (sw + 1) / 2, (sh + 1) / 2, 2, rotation, mirrored, 1);
}

static void nv21_to_y4m(const Y4mVideo *video, uint8_t *planes, uint8_t *luma, uint8_t *vu,
                        uint8_t *scratch, unsigned rotation, unsigned mirrored) {
    uint32_t width = video->width, height = video->height;
    uint32_t cw = (width + 1) / 2, ch = (height + 1) / 2;
    uint32_t sw = rotation % 180 ? height : width, sh = rotation % 180 ? width : height;
    orient_plane(planes, luma, sw, sh, 1, rotation, mirrored, 0);
    orient_plane(scratch, vu, (sw + 1) / 2, (sh + 1) / 2, 2, rotation, mirrored, 0);
    uint8_t *cb = planes + (size_t)width * height, *cr = cb + (size_t)cw * ch;
    for (size_t i = 0; i < (size_t)cw * ch; i++)
        cr[i] = scratch[2 * i], cb[i] = scratch[2 * i + 1];
}

/* "LAYER.NAME=VALUE" applied to the runtime. */
static int apply_setting(LensmithRuntime *runtime, const char *setting) {
    char layer[128];
    const char *dot = strchr(setting, '.'), *equals = strchr(setting, '=');
    if (!dot || !equals || equals < dot || (size_t)(dot - setting) >= sizeof layer) {
        fprintf(stderr, "--set %s: expected LAYER.NAME=VALUE\n", setting);
        return 0;
    }
    memcpy(layer, setting, (size_t)(dot - setting));
    layer[dot - setting] = '\0';
    char name[128];
    size_t name_length = (size_t)(equals - dot - 1);
    if (name_length >= sizeof name)
        return 0;
    memcpy(name, dot + 1, name_length);
    name[name_length] = '\0';
    if (lensmith_set_parameter(runtime, layer, name, strtod(equals + 1, NULL)) != LENSMITH_OK) {
        fprintf(stderr, "--set %s: %s\n", setting, lensmith_last_error());
        return 0;
    }
    return 1;
}

static void print_events(LensmithRuntime *runtime, unsigned frame) {
    static const char *phases[] = {"started", "active", "ended"};
    uint32_t count = 0;
    lensmith_get_event_count(runtime, &count);
    for (uint32_t i = 0; i < count; i++) {
        LensmithTriggerEvent event;
        if (lensmith_get_event(runtime, i, &event) == LENSMITH_OK &&
            event.phase != LENSMITH_TRIGGER_ACTIVE)
            printf("frame %u: trigger %s %s (face %u)\n", frame, event.trigger,
                   phases[event.phase], event.face_id);
    }
}

int main(int argc, char **argv) {
    Options options;
    if (!parse_options(argc, argv, &options) ||
        (options.rotation != 0 && options.rotation != 90 && options.rotation != 180 &&
         options.rotation != 270)) {
        usage();
        return 2;
    }
    int status = 1;
    char *keys[MAX_KEYS] = {0};
    uint8_t *bundle = NULL, *planes = NULL, *luma = NULL, *vu = NULL, *scratch = NULL;
    double *times = NULL;
    LensmithRuntime *runtime = NULL;
    Y4mVideo input = {0}, output = {0};
    char partial[4096];
    snprintf(partial, sizeof partial, "%s.partial", options.output);

    for (size_t i = 0; i < options.key_count; i++)
        if (!(keys[i] = read_key(options.key_files[i])))
            goto done;
    LensmithConfig config;
    lensmith_config_init(&config);
    config.cache_dir = options.cache_dir;
    config.threads = options.threads;
    config.trusted_keys = (const char *const *)keys;
    config.trusted_key_count = options.key_count;
    if (options.no_plugin_libraries)
        config.allow_plugin_libraries = 0;
    if (lensmith_runtime_create(&config, &runtime) != LENSMITH_OK) {
        fprintf(stderr, "error: %s\n", lensmith_last_error());
        goto done;
    }

    double load_start = now_ms();
    LensmithStatus loaded;
    if (options.from_file) {
        loaded = lensmith_load_bundle_file(runtime, options.bundle);
    } else {
        size_t length;
        if (!(bundle = read_file(options.bundle, &length)))
            goto done;
        loaded = lensmith_load_bundle_memory(runtime, bundle, length, options.bundle);
    }
    if (loaded != LENSMITH_OK) {
        fprintf(stderr, "error (status %d): %s\n", (int)loaded, lensmith_last_error());
        status = 3;
        goto done;
    }
    fprintf(stderr, "loaded %s in %.0f ms\n", options.bundle, now_ms() - load_start);
    for (size_t i = 0; i < options.setting_count; i++)
        if (!apply_setting(runtime, options.settings[i]))
            goto done;

    if (!y4m_open(&input, options.input))
        goto done;
    if ((options.rotation || options.mirrored) && (input.width % 2 || input.height % 2)) {
        fprintf(stderr, "%s: --rotate and --mirror need an even width and height\n",
                options.input);
        goto done;
    }
    if (!y4m_create(&output, partial, &input))
        goto done;
    size_t pixels = (size_t)input.width * input.height;
    size_t chroma_pairs = (size_t)((input.width + 1) / 2) * ((input.height + 1) / 2);
    planes = malloc(y4m_frame_bytes(&input));
    luma = malloc(pixels);
    vu = malloc(2 * chroma_pairs);
    scratch = malloc(2 * chroma_pairs);
    size_t time_capacity = 1024;
    times = malloc(time_capacity * sizeof *times);
    if (!planes || !luma || !vu || !scratch || !times) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    uint32_t stored_width = options.rotation % 180 ? input.height : input.width;
    uint32_t stored_height = options.rotation % 180 ? input.width : input.height;
    LensmithImage image = {
        .format = LENSMITH_FORMAT_NV21,
        .width = stored_width,
        .height = stored_height,
        .planes = {luma, vu},
        .strides = {stored_width, 2 * (size_t)((stored_width + 1) / 2)},
        .plane_sizes = {pixels, 2 * chroma_pairs},
        .rotation_degrees = options.rotation,
        .mirrored = options.mirrored,
    };
    double rate = (double)input.rate_numerator / (double)input.rate_denominator;
    unsigned frames = 0;
    /* Sums of the runtime's own per-stage figures, for the mean breakdown. */
    LensmithFrameStats sums = {0};
    double loop_start = now_ms();
    for (;;) {
        if (options.max_frames && frames == options.max_frames)
            break;
        int got = y4m_read_frame(&input, planes);
        if (got < 0)
            goto done;
        if (got == 0)
            break;
        y4m_to_nv21(&input, planes, luma, vu, scratch, options.rotation, options.mirrored);
        double start = now_ms();
        LensmithStatus played = lensmith_process_frame(runtime, &image, (double)frames / rate);
        double took = now_ms() - start;
        if (played != LENSMITH_OK) {
            fprintf(stderr, "frame %u: error (status %d): %s\n", frames, (int)played,
                    lensmith_last_error());
            goto done;
        }
        if (frames == time_capacity) {
            double *grown = realloc(times, 2 * time_capacity * sizeof *times);
            if (!grown)
                goto done;
            times = grown, time_capacity *= 2;
        }
        times[frames] = took;
        LensmithFrameStats stats;
        if (lensmith_get_frame_stats(runtime, &stats) == LENSMITH_OK) {
            sums.tracking_ms += stats.tracking_ms;
            sums.layers_ms += stats.layers_ms;
            sums.render_ms += stats.render_ms;
            sums.total_ms += stats.total_ms;
        }
        if (!options.quiet)
            print_events(runtime, frames);
        nv21_to_y4m(&input, planes, luma, vu, scratch, options.rotation, options.mirrored);
        if (!y4m_write_frame(&output, planes)) {
            perror(partial);
            goto done;
        }
        frames++;
    }
    double loop_ms = now_ms() - loop_start;
    if (!y4m_close(&output) || rename(partial, options.output) != 0) {
        perror(options.output);
        goto done;
    }
    if (frames == 0) {
        fprintf(stderr, "%s holds no frames\n", options.input);
        goto done;
    }
    double total = 0;
    for (unsigned i = 0; i < frames; i++)
        total += times[i];
    qsort(times, frames, sizeof *times, compare_doubles);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%u frames of %ux%u: %.1f fps in lensmith_process_frame (%.1f fps with Y4M I/O), "
           "per frame p50 %.1f ms, p95 %.1f ms, peak RSS %.0f MiB\n",
           frames, input.width, input.height, 1e3 * frames / total, 1e3 * frames / loop_ms,
           times[frames / 2], times[(size_t)((frames - 1) * 0.95 + 0.5)],
           (double)usage.ru_maxrss / 1024.0);
    printf("mean per frame: tracking %.1f ms, layers %.1f ms, drawing %.1f ms, converting the "
           "camera buffer in and out %.1f ms\n",
           sums.tracking_ms / frames, sums.layers_ms / frames, sums.render_ms / frames,
           (total - sums.total_ms) / frames);
    status = 0;

done:
    if (output.file) {
        y4m_close(&output);
        remove(partial);
    }
    y4m_close(&input);
    lensmith_runtime_destroy(runtime);
    for (size_t i = 0; i < MAX_KEYS; i++)
        free(keys[i]);
    free(bundle);
    free(planes);
    free(luma);
    free(vu);
    free(scratch);
    free(times);
    return status;
}
