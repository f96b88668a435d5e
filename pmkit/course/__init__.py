"""The course machinery: what builds, runs, checks, grades and publishes the notebooks.

Lessons never import from here; the learner's toolbox (``pmkit`` and its principle
modules, ``pmkit.exercises``, ``pmkit.datasets``) works in any kernel without it,
including a browser kernel. This package needs the ``course`` extra (nbformat,
nbclient, nbconvert, papermill, ipykernel): ``pip install 'basketly-pmkit[course]'``.

One module per command, with the command line on top (``cli``):

- ``notebooks``        ``pmkit build``: masters in solutions/ become lessons
- ``workspace``        ``pmkit workspace`` and ``pmkit reset``: the learner's copies
- ``doctor``           ``pmkit doctor``: what is installed and what to fix
- ``checking``         ``pmkit check``: re-run a learner's lesson the way grading does
- ``runner``           ``pmkit run``: execute lessons headless with papermill
- ``workshop``         ``pmkit workshop``: per-team folders and a facilitator guide
- ``grading``          ``pmkit grade``: gradebooks and feedback
- ``site``             ``pmkit site``: a static HTML course
- ``datasets_command`` ``pmkit datasets``: generate and verify Basketly's tables
- ``execute``          runs one notebook headless, for all of the above
"""
