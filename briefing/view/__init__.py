"""What the formats read of a brief: the view model, and the words it is printed in.

Below ``formats`` and above ``dossier``: the selection (``build``) makes these objects, the
templates, charts and the Word writer read them, and none of them imports the selection.
"""
