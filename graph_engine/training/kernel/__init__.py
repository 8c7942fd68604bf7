"""The whole-epoch kernel: a numba-compiled loop over whole epochs of a small chain
(:mod:`.epoch_kernel`), the numbers it dispatches on (:mod:`.codes`) and its loading
(:mod:`.loading`). Nothing here imports torch, so a process that only decides whether
the kernel is ready (a grader handing out files) does not pay for it; the Python side
that runs it on a torch model is :mod:`..fastpath.whole_epoch`."""
