/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: the event stream, fed by the tracepoints (event.c). */
#ifndef _AF_TOY_EVENT_H
#define _AF_TOY_EVENT_H

int toy_event_init(void);
void toy_event_exit(void);

#endif /* _AF_TOY_EVENT_H */
