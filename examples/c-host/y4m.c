/* YUV4MPEG2 reading and writing for the example host: 8-bit 4:2:0 only. */
#include "y4m.h"

#include <stdlib.h>
#include <string.h>

static int parse_header(Y4mVideo *video, const char *line, const char *path) {
    if (strncmp(line, "YUV4MPEG2 ", 10) != 0) {
        fprintf(stderr, "%s: not a YUV4MPEG2 file\n", path);
        return 0;
    }
    video->width = video->height = 0;
    video->rate_numerator = 30;
    video->rate_denominator = 1;
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line + 10);
    for (char *token = strtok(copy, " \n"); token; token = strtok(NULL, " \n")) {
        switch (token[0]) {
        case 'W': video->width = (uint32_t)strtoul(token + 1, NULL, 10); break;
        case 'H': video->height = (uint32_t)strtoul(token + 1, NULL, 10); break;
        case 'F':
            if (sscanf(token + 1, "%u:%u", &video->rate_numerator, &video->rate_denominator) != 2 ||
                video->rate_numerator == 0 || video->rate_denominator == 0) {
                fprintf(stderr, "%s: frame rate %s is not N:D\n", path, token);
                return 0;
            }
            break;
        case 'C':
            if (strncmp(token, "C420", 4) != 0) {
                fprintf(stderr, "%s: colourspace %s is not 4:2:0 (convert it with ffmpeg "
                                "-pix_fmt yuv420p)\n", path, token);
                return 0;
            }
            break;
        default: break;
        }
    }
    if (video->width == 0 || video->height == 0 || video->width > 16384 || video->height > 16384) {
        fprintf(stderr, "%s: size %ux%u is not usable\n", path, video->width, video->height);
        return 0;
    }
    return 1;
}

int y4m_open(Y4mVideo *video, const char *path) {
    video->file = fopen(path, "rb");
    if (!video->file) {
        perror(path);
        return 0;
    }
    char line[512];
    if (!fgets(line, sizeof line, video->file) || !parse_header(video, line, path)) {
        fclose(video->file);
        video->file = NULL;
        return 0;
    }
    return 1;
}

int y4m_create(Y4mVideo *video, const char *path, const Y4mVideo *like) {
    *video = *like;
    video->file = fopen(path, "wb");
    if (!video->file) {
        perror(path);
        return 0;
    }
    return fprintf(video->file, "YUV4MPEG2 W%u H%u F%u:%u Ip A1:1 C420jpeg\n", video->width,
                   video->height, video->rate_numerator, video->rate_denominator) > 0;
}

size_t y4m_frame_bytes(const Y4mVideo *video) {
    size_t chroma = (size_t)((video->width + 1) / 2) * ((video->height + 1) / 2);
    return (size_t)video->width * video->height + 2 * chroma;
}

int y4m_read_frame(Y4mVideo *video, uint8_t *planes) {
    char line[256];
    if (!fgets(line, sizeof line, video->file))
        return 0;
    if (strncmp(line, "FRAME", 5) != 0) {
        fprintf(stderr, "y4m: expected FRAME, found something else\n");
        return -1;
    }
    size_t bytes = y4m_frame_bytes(video);
    if (fread(planes, 1, bytes, video->file) != bytes) {
        fprintf(stderr, "y4m: the last frame is cut short\n");
        return -1;
    }
    return 1;
}

int y4m_write_frame(Y4mVideo *video, const uint8_t *planes) {
    size_t bytes = y4m_frame_bytes(video);
    return fputs("FRAME\n", video->file) >= 0 && fwrite(planes, 1, bytes, video->file) == bytes;
}

int y4m_close(Y4mVideo *video) {
    if (!video->file)
        return 1;
    int ok = fflush(video->file) == 0;
    ok = fclose(video->file) == 0 && ok;
    video->file = NULL;
    return ok;
}
