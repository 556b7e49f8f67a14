// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: the tracepoints of trace.h, created here and nowhere else; the
 * other files only call them. Documentation/tracing.rst shows them at work.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
