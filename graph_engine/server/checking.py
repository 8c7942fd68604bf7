""""Check my work": the training process grades the diagram on screen.

The editor sends the exercise and the diagram as file JSON; the process grades
the diagram as ``grade`` would grade its file (the exercise's data set,
settings and seed) and answers with one CHECKED reply, the result as ``grade
--json`` gives a file's row. A run the process holds waits meanwhile and then
goes on; the window never waits. Whatever goes wrong becomes the result's
error, so the editor always gets its answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.text import error_message, out_of_memory
from .protocol import Command, Reply

if TYPE_CHECKING:
    from .process import Server

COMMANDS = (Command.CHECK,)


def check(server: Server, exercise: str, diagram: str, request: int) -> None:
    from ..classroom import exercise as exercises
    from ..classroom.grading import FileResult, completed, grade_diagram_steps
    from ..classroom.network import dataset
    from ..model.fileio import DiagramFileError, loads

    try:
        task = exercises.loads(exercise)
    except Exception as error:  # noqa: BLE001 - whatever it is, the editor gets its answer
        reason = error.reason if isinstance(error, DiagramFileError) else error_message(error)
        result = FileResult("", 0, error=f"the exercise cannot be read: {reason}")
        server.send(Reply.CHECKED, request=request, result=result.as_dict())
        return
    try:
        *_, result = grade_diagram_steps(task, loads(diagram))
    except DiagramFileError as error:
        result = completed(task, None, "", f"unreadable: {error.reason}",
                           "the diagram cannot be read")
    except Exception as error:  # noqa: BLE001 - the editor is told, the process serves on
        if out_of_memory(error):  # torch's allocator says so with a RuntimeError
            result = completed(task, None, "", "ran out of memory", "out of memory")
        else:
            result = completed(task, None, "", f"grading failed: {error_message(error)}",
                               "grading failed")
    finally:
        dataset.cache_clear()  # kept for a class's files in a grading worker, not here
    server.send(Reply.CHECKED, request=request, result=result.as_dict())
