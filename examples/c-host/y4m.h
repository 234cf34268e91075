/* Reading and writing 8-bit 4:2:0 YUV4MPEG2 (.y4m) files, the plain uncompressed video
 * that ffmpeg and `lensmith render` read and write. */
#ifndef LENSMITH_HOST_Y4M_H
#define LENSMITH_HOST_Y4M_H

#include <stdint.h>
#include <stdio.h>

typedef struct Y4mVideo {
    FILE *file;
    uint32_t width, height;
    uint32_t rate_numerator, rate_denominator;
} Y4mVideo;

/* Opens `path` and reads its header; prints why and returns 0 when it cannot. */
int y4m_open(Y4mVideo *video, const char *path);

/* Creates `path` for frames like `like`'s; returns 0 on failure. */
int y4m_create(Y4mVideo *video, const char *path, const Y4mVideo *like);

/* Bytes of one frame: Y, then U and V at half width and height (rounded up). */
size_t y4m_frame_bytes(const Y4mVideo *video);

/* Reads the next frame's planes into `planes`; 1 read, 0 at the end, -1 on an error. */
int y4m_read_frame(Y4mVideo *video, uint8_t *planes);

/* Appends one frame; returns 0 on failure. */
int y4m_write_frame(Y4mVideo *video, const uint8_t *planes);

/* Closes the file; returns 0 if anything failed to reach the disk. */
int y4m_close(Y4mVideo *video);

#endif
