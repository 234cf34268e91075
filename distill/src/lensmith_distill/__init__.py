"""Lensmith distillation: turn a slow "teacher" face-crop effect into a small real-time
student UNet for an effect bundle's face_model layer.

Aligned face crops come from `lensmith crops`; a teacher (see `teachers`) stylises them
into paired training data (see `pairs`); the student learns the pairs.
"""
