/* tui.h — chipfit's interactive workbench (ncursesw): `chipfit MODEL` in a
 * terminal. The model's layers in a table (static costs, measured CPU time),
 * a detail pane for the selected layer, profiling in a worker thread, help,
 * and an open-file prompt. docs/tui.md lists the keys. */
#ifndef CF_TUI_H
#define CF_TUI_H

/* Runs the TUI until the user quits. path: the model to open, or NULL to
 * start at the open prompt. Returns an exit code (CF_EXIT_*); the terminal
 * is restored whatever happens. */
int cf_tui_main(const char *path);

#endif
