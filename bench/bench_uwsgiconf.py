"""Benchmark: linting a 200-line uwsgiconf ``uwsgicfg.py`` as a whole process.

    python bench/bench_uwsgiconf.py [--runs 15] [--keep DIR]

Writes a realistic ``uwsgicfg.py`` (the nice preset, two derived sections, most option
groups, module constants, f-strings, an undecided ``if``, a loop) to a temporary directory
and prints the median wall time of ``uwsgi-lint uwsgicfg.py`` over the runs, beside the
interpreter alone and a lint of a one-file INI config (the issue's target: < 300 ms).
Every process caches bytecode under the run's directory (see measure.py, bench_lint.py).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import measure
from bench_lint import child_env, lint_cmd, verdict

TARGET_MS = 300

UWSGICFG = '''\
"""uWSGI configuration of the shop project (uwsgiconf)."""
import os

from uwsgiconf.config import Configuration, Section, configure_uwsgi
from uwsgiconf.presets.nice import PythonSection

PROJECT = 'shop'
DOMAIN = 'shop.example.com'
BASE_PORT = 8000
DIR_STATE = f'/var/lib/{PROJECT}'
DIR_RUN = f'/run/{PROJECT}'
DIR_LOG = f'/var/log/{PROJECT}'
WORKERS = 4
THREADS = 2
HARAKIRI = 60 * 2
MAX_REQUESTS = 5000
IN_PRODUCTION = os.environ.get('SHOP_ENV') == 'production'


def configure_web(section):
    """Sockets, static files and routing of the web section."""
    networking = section.networking
    sockets = networking.sockets
    networking.set_basic_params(queue_size=1024, buffer_size=32768, buffer_post_size=65536)
    networking.set_socket_params(timeout=30, keep_alive=True)
    networking.set_unix_socket_params(permissions='660', owner='www-data:www-data')
    networking.set_bsd_socket_params(port_reuse=True)
    networking.register_socket(sockets.http(f'127.0.0.1:{BASE_PORT}'))
    networking.register_socket(sockets.uwsgi(f'{DIR_RUN}/{PROJECT}.sock'))
    statics = section.statics
    statics.set_basic_params(static_dir=f'{DIR_STATE}/public', index_file='index.html')
    statics.register_static_map('/static/', f'{DIR_STATE}/static')
    statics.register_static_map('/media/', f'{DIR_STATE}/media')
    statics.add_expiration_rule(statics.expiration_criteria.FILENAME, r'.*\\.css$',
                                timeout=3600)
    statics.set_paths_caching_params(timeout=60)
    routing = section.routing
    routing.header_add('X-Frame-Options', 'DENY')
    routing.header_add('X-Content-Type-Options', 'nosniff')
    routing.header_remove('Server')
    routing.set_error_page(404, f'{DIR_STATE}/errors/404.html')
    routing.set_error_page(500, f'{DIR_STATE}/errors/500.html')
    return section


def configure_workers(section, count):
    """Workers, threads, reloads, harakiri and the cheaper subsystem."""
    workers = section.workers
    workers.set_basic_params(count=count, zombie_reaper=True, limit_addr_space=2048)
    workers.set_thread_params(count=THREADS, stack_size=512)
    workers.set_reload_params(max_requests=MAX_REQUESTS, max_requests_delta=50,
                              min_lifetime=60, max_lifetime=3600, max_rss=512, mercy=30)
    workers.set_reload_on_exception_params(do_reload=True, etype='MemoryError')
    workers.set_harakiri_params(timeout=HARAKIRI, verbose=True)
    workers.set_mules_params(2, harakiri_timeout=300)
    cheapening = section.cheapening
    algo = cheapening.algorithms.busyness(check_interval_busy=10, busy_max=50, busy_min=25,
                                          idle_cycles_max=3, idle_cycles_penalty=2)
    cheapening.set_basic_params(cheaper_algo=algo, workers_min=1, workers_startup=2,
                                workers_step=1)
    cheapening.set_memory_limits(rss_soft=400000000, rss_hard=500000000)
    return section


def configure_logging(section, name):
    """Log files, formats, filters and request logging."""
    logging = section.logging
    logging.log_into(f'{DIR_LOG}/{name}.log')
    logging.set_basic_params(template='%(addr) %(method) %(uri) %(status) %(msecs)ms',
                             memory_report=1, apply_strftime=True)
    logging.set_file_params(reopen_on_reload=True, max_size=104857600,
                            rotation_fname=f'{DIR_LOG}/{name}.old')
    logging.set_filters(exclude=['/health', '/metrics'])
    logging.set_master_logging_params(enable=True, dedicate_thread=True, buffer=8192)
    logging.set_requests_filters(slower=1000, status_5xx=True)
    return section


def get_configurations():
    web = PythonSection(
        'uwsgi',  # the section uWSGI reads
        wsgi_module=f'{PROJECT}.wsgi',
        params_python=dict(python_home=f'/srv/{PROJECT}/venv',
                           search_path=f'/srv/{PROJECT}/src'),
        workers=WORKERS,
        threads=THREADS,
        owner='www-data',
        process_prefix=f'[{PROJECT}]',
        log_dedicated=True,
        ignore_write_errors=True,
        touch_reload=f'{DIR_STATE}/reloader',
    )
    web.set_runtime_dir(DIR_RUN)
    web.env('DJANGO_SETTINGS_MODULE', f'{PROJECT}.settings')
    web.env('LANG', 'C.UTF-8')
    web.env('PROJECT_DOMAIN', DOMAIN)
    web.set_placeholder('state', DIR_STATE)
    web.print_out(f'{PROJECT} starting')
    web.include(f'/etc/{PROJECT}/local.ini')
    configure_web(web)
    configure_workers(web, WORKERS)
    configure_logging(web, 'web')

    main = web.main_process
    main.change_dir(f'/srv/{PROJECT}/src')
    main.set_pid_file(f'{DIR_RUN}/web.pid')
    main.set_naming_params(autonaming=True, prefix=f'{PROJECT} ')
    main.set_hook(main.phases.ASAP, main.actions.dir_create(DIR_RUN))
    main.run_command_on_event(f'chown www-data {DIR_RUN}', phase=main.phases.PRIV_DROP_PRE)
    main.set_basic_params(vacuum=True, priority=5)

    master = web.master_process
    master.set_basic_params(enable=True, fifo_file=f'{DIR_RUN}/web.fifo')
    master.set_exit_events(sig_term=True, no_workers=True)
    master.set_reload_params(mercy=60)
    master.add_cron_task(f'/srv/{PROJECT}/venv/bin/python -m {PROJECT}.cleanup',
                         hour=3, minute=15, unique=True)
    master.add_cron_task(f'/srv/{PROJECT}/venv/bin/python -m {PROJECT}.digest',
                         weekday=1, hour=6, minute=0)
    master.attach_process(f'/srv/{PROJECT}/venv/bin/celery -A {PROJECT} worker',
                          pidfile=f'{DIR_RUN}/celery.pid', daemonize=True,
                          touch_reload=f'{DIR_STATE}/reloader', uid='www-data')

    python = web.python
    python.set_basic_params(optimization_level=1, os_env_reload=True)
    python.import_module(f'{PROJECT}.signals')
    python.set_autoreload_params(ignore_modules=['celery', 'kombu'])

    web.applications.set_basic_params(exit_if_none=True, manage_script_name=True)
    web.applications.mount('/admin', f'{PROJECT}.admin.wsgi:application')
    web.locks.set_basic_params(count=2)
    web.locks.lock_file(f'{DIR_RUN}/web.lock')
    web.spooler.add(f'{DIR_STATE}/spool')
    web.spooler.set_basic_params(process_count=2, harakiri=600, quiet=True)
    web.caching.add_cache('pages', max_items=2000, block_size=8192)
    web.caching.add_cache('sessions', max_items=10000, key_size=64)
    web.caching.set_basic_params(expire_scan_interval=30)
    web.queue.enable(100, block_size=4096)
    web.alarms.set_basic_params(anti_loop_timeout=30)
    mail = web.alarms.alarm_types.command('mail', command=f'mail -s {PROJECT} ops@{DOMAIN}')
    web.alarms.alarm_on_log(mail, 'Traceback')
    web.alarms.alarm_on_segfault(mail)
    web.monitoring.set_stats_params(f'{DIR_RUN}/stats.sock', enable_http=True)
    web.monitoring.set_metrics_params(enable=True, store_dir=f'{DIR_STATE}/metrics')
    web.subscriptions.set_client_params(announce_interval=10)

    if IN_PRODUCTION:
        web.networking.register_socket(
            web.networking.sockets.https(':443', cert=f'/etc/letsencrypt/live/{DOMAIN}/cert.pem',
                                         key=f'/etc/letsencrypt/live/{DOMAIN}/privkey.pem'))
        web.networking.set_ssl_params(sessions_cache=True, sessions_timeout=300)
        web.main_process.set_owner_params(uid='www-data', gid='www-data', add_gids=['ssl'])
    else:
        web.python.set_autoreload_params(scan_interval=2)
        web.logging.set_basic_params(no_requests=False)

    api = Section.derive_from(web, name='api')
    api.networking.register_socket(api.networking.sockets.http(f'127.0.0.1:{BASE_PORT + 1}'))
    api.workers.set_basic_params(count=WORKERS * 2)
    api.workers.set_harakiri_params(timeout=30)
    api.main_process.set_pid_file(f'{DIR_RUN}/api.pid')
    api.master_process.set_basic_params(fifo_file=f'{DIR_RUN}/api.fifo')
    api.python.set_wsgi_params(module=f'{PROJECT}.api.wsgi', callable_name='application')
    api.logging.log_into(f'{DIR_LOG}/api.log')
    api.env('SHOP_API', '1')
    api.routing.header_add('Cache-Control', 'no-store')
    api.caching.add_item('api-version', '2', cache_name='pages')

    tasks = Section.derive_from(web, name='tasks')
    tasks.workers.set_basic_params(count=2)
    tasks.master_process.set_basic_params(fifo_file=f'{DIR_RUN}/tasks.fifo')
    tasks.main_process.set_pid_file(f'{DIR_RUN}/tasks.pid')
    for index in range(2):
        tasks.spooler.add(f'{DIR_STATE}/spool-{index}')
    configure_logging(tasks, 'tasks')

    emperor = Section('emperor', strict_config=True)
    emperor.empire.set_emperor_params(vassals_home=f'/etc/{PROJECT}/vassals', scan_interval=5,
                                      stats_address='127.0.0.1:9191')
    emperor.empire.set_throttle_params(level=1000, level_max=180000)
    emperor.empire.set_tolerance_params(for_heartbeat=30)
    emperor.empire.set_mode_tyrant_params(enable=True)
    emperor.main_process.set_pid_file(f'{DIR_RUN}/emperor.pid')
    emperor.main_process.set_hook(emperor.main_process.phases.EMPEROR_START,
                                  f'exec:echo {PROJECT} emperor started')
    emperor.empire.set_vassals_wrapper_params(wrapper=f'/srv/{PROJECT}/venv/bin/uwsgi')
    emperor.main_process.set_owner_params(uid='root', gid='root')
    emperor.main_process.set_basic_params(vacuum=True)
    emperor.master_process.set_exit_events(sig_term=True)
    emperor.logging.log_into(f'{DIR_LOG}/emperor.log')
    emperor.logging.set_file_params(reopen_on_reload=True)
    emperor.monitoring.set_stats_params('127.0.0.1:9192')

    return [
        Configuration([web, api, tasks], autoinclude_sections=True, alias='app'),
        emperor.as_configuration(alias='emperor'),
    ]


configure_uwsgi(get_configurations)
'''


def wall_ms(cmd: list[str], env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """Sorted wall milliseconds of ``cmd`` over ``runs`` runs."""
    return sorted(measure.run(cmd, env, cwd).wall * 1000 for _ in range(runs))


def line(label: str, walls: list[float], note: str = "") -> None:
    print(f"  {label:<40} {statistics.median(walls):7.1f}  [{walls[0]:.1f}-{walls[-1]:.1f}]"
          f"  {note}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, metavar="N")
    ap.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    args = ap.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="uwsgi-lint-bench-uwsgiconf-")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    env = child_env(root)
    try:
        config = root / "uwsgicfg.py"
        config.write_text(UWSGICFG, encoding="utf-8")
        # in a directory of its own: beside uwsgicfg.py, the context search would read that
        # module as the Emperor that may start it (and import libcst)
        ini = root / "ini" / "app.ini"
        ini.parent.mkdir(exist_ok=True)
        ini.write_text("[uwsgi]\nmaster = true\nworkers = 2\n", encoding="utf-8")
        warm = measure.run(lint_cmd(str(config)), env, root)  # caches the bytecode
        print(f"python {sys.version.split()[0]} ({sys.executable}), {os.cpu_count()} CPUs, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"uwsgicfg.py: {len(UWSGICFG.splitlines())} lines; uwsgi-lint exited "
              f"{warm.code} with {len(warm.stdout.splitlines())} lines of output")
        if warm.code not in (0, 1):
            print(f"  ! {warm.stderr.strip()[-500:]}")
        print(f"\n== whole processes, wall ms: median [min-max] of {args.runs}")
        line("python -c pass (the interpreter alone)",
             wall_ms([sys.executable, "-c", "pass"], env, root, args.runs))
        line("uwsgi-lint app.ini (3 lines)", wall_ms(lint_cmd(str(ini)), env, root, args.runs))
        walls = wall_ms(lint_cmd(str(config)), env, root, args.runs)
        ok = statistics.median(walls) < TARGET_MS
        line("uwsgi-lint uwsgicfg.py", walls, f"target < {TARGET_MS} ms: {verdict(ok)}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
