"""The teaching views: inside the network, its gradients, its mistakes, its code.

:class:`~gui.teaching.ui.TeachingUI` installs them into the main window.
"""
