"""A student's side of an exercise: open it, work under its locks, check the work.

File → Open Exercise… opens an exercise file's starting diagram as a new,
untitled document that answers the exercise (saving writes an ordinary
diagram file that records the exercise's title), under the exercise's locks
(:meth:`Exercise.locks`: blocks, the wires between them, the data set and the
training settings), and shows the Exercise panel with the task. Check My Work
asks the training process to grade the diagram as ``grade`` would
(:mod:`graph_engine.server.checking`); the window never waits for it.

Exercises opened are remembered by title, so that opening a saved answer
later brings back its task, its locks and Check My Work.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from graph_engine.classroom import exercise as exercises
from graph_engine.classroom.exercise import Exercise
from graph_engine.classroom.grading import number
from graph_engine.model.diagram import Diagram
from graph_engine.model.fileio import DiagramFileError
from graph_engine.server.protocol import Command
from graph_engine.training.measures import from_confusion

from .. import dialogs
from ..canvas.scene import DiagramScene
from ..document.document import Document, NetworkRevision
from ..document.outputs import Outputs
from ..editor.file_actions import FileActions
from ..files import remember_path, remembered_paths
from ..shell import Shell
from ..training.controller import TrainingController
from .authoring import EXERCISE_FILTER, save_as_exercise
from .task_panel import TaskPanel

KNOWN_KEY = "exercises"  # QSettings: the paths of exercises opened before
MAX_KNOWN = 20


class ExerciseSession(QObject):
    def __init__(self, document: Document, files: FileActions, scene: DiagramScene,
                 controller: TrainingController, outputs: Outputs, shell: Shell) -> None:
        super().__init__(shell.main_window())
        self.document, self.files, self.scene = document, files, scene
        self.controller, self.outputs, self.shell = controller, outputs, shell
        self.exercise: Exercise | None = None
        self.request = 0  # the number of the last Check My Work
        self.busy = False
        self._graded: NetworkRevision | None = None  # the network revision last checked
        self._pending: Exercise | None = None  # for the diagram about to open
        self.panel = TaskPanel()
        self.dock = shell.add_dock("exercise", "Exercise", self.panel,
                                   Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock.hide()
        self._placed = False  # tabified beside the Selected block when first shown (_show)
        self.panel.check_requested.connect(self.check)
        controller.process.checked.connect(self._checked)
        controller.process.crashed.connect(self._crashed)
        files.opening.connect(self.adopt)  # an answer opens under its exercise's locks
        document.diagram_replaced.connect(self._replaced)
        document.analysed.connect(self._edited)
        self._menu()

    def _menu(self) -> None:
        window, file_menu = self.shell.main_window(), self.shell.menu("file")
        self.open_action = QAction("Open E&xercise…", window)
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.open_action.setStatusTip("Open an exercise: its task, its starting diagram and "
                                      "Check My Work")
        self.open_action.triggered.connect(lambda: self.open())
        self.check_action = QAction("&Check My Work", window)
        self.check_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.check_action.setEnabled(False)
        self.check_action.triggered.connect(self.check)
        self.save_action = QAction("Save as Exe&rcise…", window)
        self.save_action.setStatusTip("Make an exercise of this diagram: the task, the locked "
                                      "blocks, the checks")
        self.save_action.triggered.connect(lambda: self.save_as_exercise())
        actions = file_menu.actions()
        after = actions.index(self.shell.menu("examples").menuAction()) + 1
        file_menu.insertAction(actions[after], self.open_action)
        file_menu.insertAction(actions[after], self.check_action)
        after = actions.index(self.shell.action("save_as")) + 1
        file_menu.insertAction(actions[after], self.save_action)

    def save_as_exercise(self) -> bool:
        """The diagram on screen as an exercise; thresholds from the run on screen."""
        history = self.controller.state.history
        metrics = dict(history[-1]) if self.controller.current and history else None
        counts = next((row["confusion"] for row in reversed(history) if "confusion" in row),
                      None)
        if metrics is not None and counts is not None:  # the macro F1 a test-f1 starts from
            metrics["test_f1"] = from_confusion(counts["test"]).macro_f1
        return save_as_exercise(self.document.diagram, self.scene.selected_block_ids(),
                                metrics, self.outputs, self.shell)

    # ------------------------------------------------------------ opening
    def open(self) -> None:
        if not self.files.maybe_save():
            return
        path = dialogs.open_path(self.shell.main_window(), "Open exercise",
                                 file_filter=EXERCISE_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Start answering the exercise at ``path``; False if it cannot be read."""
        if ask and not self.files.maybe_save():
            return False
        try:
            exercise = exercises.load(path)
        except DiagramFileError as error:
            dialogs.show_error(self.shell.main_window(), "Cannot open exercise", str(error))
            return False
        remember_path(KNOWN_KEY, os.path.abspath(path), MAX_KNOWN)
        self._pending = exercise
        self.files.show(exercise.student_diagram())
        locked = len(exercise.locked)
        self.shell.tell(f"Opened the exercise {exercise.title}" + (
            f": {locked} locked block{'s' if locked != 1 else ''}" if locked else ""))
        return True

    def adopt(self, diagram: Diagram) -> None:
        """Before ``diagram`` opens: if it answers an exercise opened before, it
        opens under that exercise's locks, data set and settings."""
        title = diagram.exercise
        if not title:
            return
        exercise = self.exercise if self.exercise is not None and \
            self.exercise.title == title else _known(title)
        if exercise is None:
            self.shell.tell(f"This diagram answers the exercise {title}: open the "
                            "exercise file (File → Open Exercise) for its task and "
                            "Check My Work.", refusal=True)
            return
        diagram.dataset = exercise.dataset
        diagram.training = exercise.training.with_(pace=diagram.training.pace,
                                                   pace_unit=diagram.training.pace_unit)
        diagram.locks = exercise.locks()
        self._pending = exercise

    def _replaced(self) -> None:
        exercise, self._pending = self._pending, None
        diagram = self.document.diagram
        if exercise is None or diagram.exercise != exercise.title:
            self._show(None)
            return
        self._show(exercise)

    def _show(self, exercise: Exercise | None) -> None:
        self.exercise, self._graded, self.busy = exercise, None, False
        self.check_action.setEnabled(exercise is not None)
        if exercise is None:
            self.dock.hide()
            return
        self.panel.show_exercise(exercise.title, exercise.task, exercise.max_score)
        self.panel.check_button.setEnabled(True)
        if not self._placed:
            # Tabified only now: docks tabified before the window is laid out leave
            # stale tab bars on screen once a hidden one is shown.
            self._placed = True
            self.shell.main_window().tabifyDockWidget(self.shell.dock("selected"), self.dock)
        self.dock.show()
        self.dock.raise_()

    def settle_dock(self) -> None:
        """After a layout is restored: the Exercise panel shows only while the
        diagram answers an exercise."""
        self.dock.setVisible(self.exercise is not None)

    # ------------------------------------------------------------ checking
    def check(self) -> None:
        if self.exercise is None or self.busy:
            return
        self.request += 1
        self.busy = True
        self._graded = self.document.network_revision
        self.controller.process.send(
            Command.CHECK, exercise=exercises.dumps(self.exercise),
            diagram=self.document.diagram, request=self.request)
        epochs = self.exercise.training.epochs
        self.panel.checking(f"Checking… grading trains your network for {epochs} epochs "
                            "with the exercise's data set, settings and seed.")

    def _checked(self, request: int, result: dict) -> None:
        if request != self.request or self.exercise is None:
            return  # an answer for an exercise or a diagram no longer on screen
        self.busy = False
        self.panel.show_result(result, {c.id: c.points for c in self.exercise.checks})
        self.shell.tell(f"Checked: {number(result['score'])} of "
                        f"{number(result['max_score'])} points")
        self._edited()

    def _crashed(self, detail: str) -> None:
        if self.busy:
            self.busy = False
            self.panel.failed("The training process stopped while checking "
                              f"({detail}); press Check My Work to try again.")

    def _edited(self) -> None:
        """After an edit of what grading reads (blocks, parameters, wires, data set):
        the marks shown are of the diagram as it was."""
        if self._graded is not None and not self.busy and \
                self.document.network_revision != self._graded:
            self._graded = None  # said once; compared no more until the next check
            self.panel.mark_stale()


# ---------------------------------------------------------------- exercises seen
def _known(title: str) -> Exercise | None:
    """The exercise titled ``title`` among those opened before, if it still reads."""
    for path in remembered_paths(KNOWN_KEY):
        if not os.path.isfile(path):
            continue
        try:
            exercise = exercises.load(path)
        except DiagramFileError:
            continue
        if exercise.title == title:
            return exercise
    return None
