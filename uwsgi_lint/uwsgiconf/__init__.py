"""uwsgiconf Python configs, read statically: never imported, executed or compiled.

Layers, one module each, data flowing one way:

``api``       what uwsgiconf 2.4.0 offers (groups, methods, parameters, the option each
              parameter writes, constants, presets), loaded from the generated
              ``catalog/uwsgiconf.json`` (``scripts/gen_uwsgiconf_api.py``)
``evaluate``  libcst: finds the sections and configurations a module builds, resolves
              the values it can, and records every call on a section (:class:`Call`)
``emit``      what each call writes into its section, as uwsgiconf's ``Section`` does
              (binding, casts, repeated keys, last write wins, presets, side effects)
``checks``    the uwsgiconf-specific findings (UW6xx) from the recorded calls
``readers/python.py`` renders the result as the INI text uWSGI would be given, every
              option mapped back to the ``.py`` argument or call that wrote it
"""
