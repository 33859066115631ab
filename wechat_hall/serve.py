"""`make run`: serve the hall on 127.0.0.1:$PORT with the embedded defaults.

Prints where everything is and how to log in, then serves with a threaded server. With
no ``REDIS_URL`` the job scheduler runs in this process too (jobs run in threads).
"""
import os
import re

from wechat_hall import create_app, demo
from wechat_hall.config import DEV_APPID
from wechat_hall.jobs import scheduler
from wechat_hall.redis_store import is_embedded


def banner(app, port):
    cfg = app.config
    base = cfg["PUBLIC_BASE_URL"]
    db_url = cfg["SQLALCHEMY_DATABASE_URI"]
    lines = [
        "",
        "==================  微信营业厅  ==================",
        f"  服务大厅 (H5)      {base}/h5/",
        f"  网上营业厅注册     {base}/h5/account/register",
        f"  员工工作台         {base}/staff/",
        f"  临柜身份认证       {base}/staff/counter-checks/",
        f"  客服工作台         {base}/staff/cs/",
        f"  发行人服务平台     {base}/issuer/",
        f"  发行人业务（员工） {base}/staff/issuers/",
        f"  后台管理           {base}/admin/",
    ]
    if cfg["SIMULATOR_ENABLED"]:
        lines += [f"  微信模拟器         {base}/sim/",
                  f"  开发收件箱         {base}/sim/inbox"]
    lines += [
        f"  健康检查           {base}/healthz",
        f"  微信推送地址       {base}/wechat",
        "",
        f"  数据库   {_hide_credentials(db_url)}",
        f"  Redis    {_hide_credentials(cfg['REDIS_URL']) or '未配置：内置（任务在本进程内执行）'}",
        f"  微信     AppID {cfg['WECHAT_APPID']}  Token {cfg['WECHAT_TOKEN']}  "
        f"{'安全模式' if cfg['WECHAT_AES_KEY'] else '明文模式'}",
        f"  微信 API {app_api_base(app)}",
    ]
    if cfg["WECHAT_APPID"] == DEV_APPID:
        lines.append(f"  开发用 AppSecret {cfg['WECHAT_SECRET']}（仅供模拟器使用）")
    lines += [
        "",
        "  演示账号：",
    ]
    with app.app_context():
        lines += [f"    {line}" for line in demo.logins()]
    lines += ["==================================================", ""]
    print("\n".join(lines), flush=True)


def _hide_credentials(url):
    return re.sub(r"//[^@/]*@", "//***@", url or "")


def app_api_base(app):
    from wechat_hall.services.wechat.api import api_base_url
    return api_base_url(app) or "https://api.weixin.qq.com（真实微信）"


def main():
    from dotenv import load_dotenv
    load_dotenv(".env")  # development settings, if the developer keeps any
    port = int(os.environ.get("PORT", "5000"))
    app = create_app()
    banner(app, port)
    # One process does it all for development: timed jobs, and with Redis an RQ worker.
    scheduler.start_in_thread(app)
    if not is_embedded(app) and os.environ.get("HALL_INPROCESS_WORKER", "1") == "1":
        from wechat_hall.jobs.worker import start_in_thread
        start_in_thread(app)
        print("  RQ worker 已在本进程内启动（生产环境请单独运行 flask jobs worker）", flush=True)
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False, debug=False)


if __name__ == "__main__":
    main()
